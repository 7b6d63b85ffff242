using CliWrap;
using CliWrap.Buffered;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Strace;

/// <summary>The real <c>trace-exporter guard</c>, built beside these tests, on dash scripts.</summary>
public sealed class GuardCommandTests
{
    [SkippableFact]
    public async Task Guard_stops_a_script_at_the_first_missing_file_open_and_what_follows_never_runs()
    {
        StracePrerequisite.Require();
        using var scratch = await StraceScratch.CreateAsync();
        var marker = Path.Combine(scratch.Directory, "marker");
        var script = $"echo before; true < {scratch.Missing}; touch {marker}; echo after";

        var result = await GuardAsync(["--abort-on", "openat:ENOENT", "--", "dash", "-c", script]);

        Assert.True(70 == result.ExitCode, Describe(result));
        Assert.Equal("before\n", result.StandardOutput);
        Assert.False(File.Exists(marker), "the command after the failing open ran\n" + Describe(result));
        Assert.Contains($"openat(\"{scratch.Missing}\") failed with ENOENT", result.StandardError);
    }

    [SkippableFact]
    public async Task Guard_with_a_path_pattern_lets_other_missing_files_be_and_stops_at_the_first_matching_one()
    {
        StracePrerequisite.Require();
        using var scratch = await StraceScratch.CreateAsync();
        var firmware = Path.Combine(scratch.Directory, "firmware");
        var marker = Path.Combine(scratch.Directory, "marker");
        var script = $"echo a; true < {scratch.Missing}; echo b; true < {firmware}/intel/x.bin; touch {marker}; echo after";

        var result = await GuardAsync(["--abort-on", $"openat:ENOENT:{firmware}/*", "--", "dash", "-c", script]);

        Assert.True(70 == result.ExitCode, Describe(result));
        Assert.Equal("a\nb\n", result.StandardOutput);
        Assert.False(File.Exists(marker), "the command after the matching open ran\n" + Describe(result));
        Assert.Contains($"openat(\"{firmware}/intel/x.bin\") failed with ENOENT", result.StandardError);
        Assert.Contains($"(--abort-on openat:ENOENT:{firmware}/*)", result.StandardError);
    }

    [SkippableFact]
    public async Task Guard_lets_a_clean_script_finish_with_its_own_exit_code_and_untouched_output()
    {
        StracePrerequisite.Require();
        using var scratch = await StraceScratch.CreateAsync();
        var script = $"true < {scratch.Present}; printf 'out\\tput\\n\\001\\377'; printf 'err\\n' >&2; exit 7";

        var result = await GuardAsync(["--abort-on", "openat:ENOENT", "--", "dash", "-c", script]);

        Assert.True(7 == result.ExitCode, Describe(result));
        Assert.Equal("out\tput\n\u0001\u00ff", result.StandardOutput);
        Assert.Equal("err\n", result.StandardError);
    }

    [SkippableTheory]
    [InlineData("strace missing", new[] { "--strace", "/nonexistent/strace", "--abort-on", "openat:ENOENT", "--", "true" }, 3, "guard: strace not found: '/nonexistent/strace'")]
    [InlineData("rejected call", new[] { "--abort-on", "no_such_call:ENOENT", "--", "true" }, 2, "invalid system call 'no_such_call'")]
    [InlineData("no command", new[] { "--abort-on", "openat:ENOENT", "--", "/nonexistent/command" }, 127, "guard: command not found: /nonexistent/command")]
    public async Task Guard_reports_each_problem_in_one_line(string problem, string[] arguments, int exitCode, string message)
    {
        StracePrerequisite.Require();

        var result = await GuardAsync(arguments);

        Assert.True(exitCode == result.ExitCode, problem + "\n" + Describe(result));
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line);
    }

    private static async Task<BufferedCommandResult> GuardAsync(string[] arguments)
    {
        var daemon = RepositoryLayout.Daemon; // first: it may publish the daemon, which is not the command's time
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await Cli.Wrap(daemon.Program)
            .WithArguments(daemon.Arguments(["guard", .. arguments]))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(System.Text.Encoding.Latin1, timeout.Token);
    }

    private static string Describe(BufferedCommandResult result) =>
        $"exit {result.ExitCode}\nstdout:\n{result.StandardOutput}\nstderr:\n{result.StandardError}";
}
