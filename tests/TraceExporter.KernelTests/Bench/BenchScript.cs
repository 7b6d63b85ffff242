using CliWrap;
using CliWrap.Buffered;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Bench;

/// <summary>Runs one of bench/*.sh in its short mode against the published daemon, on the tests' bpftrace.</summary>
internal static class BenchScript
{
    /// <summary>Fails under CI=true, skips otherwise, when a tool the script needs is not on PATH.</summary>
    public static void RequireTool(string tool, string why)
    {
        KernelPrerequisites.Require();
        if (KernelPrerequisites.FindOnPath(tool) is null)
        {
            var message = $"'{tool}' not on PATH ({why})";
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), message);
            Skip.If(true, message);
        }
    }

    /// <summary>
    /// Runs the script with --short and the tests' bpftrace, asserts exit 0, and returns its standard output.
    /// The daemon is given as <c>--daemon PATH</c> unless <paramref name="daemonArguments"/> says otherwise.
    /// </summary>
    public static async Task<string> RunShortAsync(string script, TimeSpan timeout, IReadOnlyList<string>? daemonArguments = null)
    {
        var daemon = daemonArguments ?? ["--daemon", RepositoryLayout.Daemon.Path]; // may publish it: before the timeout starts
        using var cancel = new CancellationTokenSource(timeout);
        var result = await Cli.Wrap("bash")
            .WithArguments(
            [
                Path.Combine(RepositoryLayout.Root, "bench", script), "--short", "--bpftrace", TestBpftrace.Path,
                .. daemon,
            ])
            .WithWorkingDirectory(RepositoryLayout.Root)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancel.Token);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n--- stdout\n{result.StandardOutput}\n--- stderr\n{result.StandardError}");
        return result.StandardOutput;
    }
}
