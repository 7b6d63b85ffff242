using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.UserProbes;

/// <summary><c>trace-exporter check</c> on the real kernel: a probe that cannot attach, and mistakes in the file.</summary>
public sealed class CheckErrorsTests
{
    private const string StackTraceMarker = "   at ";

    // The probe's mapping starts at line 4, column 5 (after "- ").
    private const string MissingTracepoint =
        """
        interval: 1s
        builtin: {}
        probes:
          - name: ghost
            program: |
              tracepoint:te_kt_no_such_group:no_such_event { @x = count(); }
            metrics:
              - map: "@x"
                name: kt_ghost_total
                help: Never attaches.

        """;

    // An unknown key at 5:5 and an invalid metric name at 10:15.
    private const string TwoMistakes =
        """
        interval: 1s
        builtin: {}
        probes:
          - name: bad
            colour: red
            program: |
              interval:s:1 { @x = count(); }
            metrics:
              - map: "@x"
                name: kt-bad-name
                help: Not a valid metric name.

        """;

    [SkippableFact]
    public async Task A_probe_on_a_tracepoint_this_kernel_lacks_exits_1_naming_the_probe_at_its_line_and_column()
    {
        KernelPrerequisites.Require();
        using var config = new TemporaryConfigFile(MissingTracepoint);

        var check = await CheckRun.RunAsync(config.Path);

        Assert.True(check.ExitCode == 1, check.ToString());
        Assert.True(check.StandardOutput.Contains($"{config.Path}: configuration is valid", StringComparison.Ordinal), check.ToString());
        var line = check.StandardError.Split('\n').FirstOrDefault(l => l.StartsWith($"{config.Path}:4:5: probe 'ghost' cannot run on this host: ", StringComparison.Ordinal));
        Assert.True(line is not null, check.ToString());
        Assert.True(line.Contains("te_kt_no_such_group:no_such_event", StringComparison.Ordinal), check.ToString());
        Assert.False(check.Output.Contains(StackTraceMarker, StringComparison.Ordinal), check.ToString());
    }

    [SkippableFact]
    public async Task Two_mistakes_exit_2_with_each_at_its_line_and_column_and_no_stack_trace_and_the_daemon_refuses_them_alike()
    {
        KernelPrerequisites.Require();
        using var config = new TemporaryConfigFile(TwoMistakes);

        var check = await CheckRun.RunAsync(config.Path);

        Assert.True(check.ExitCode == 2, check.ToString());
        var errors = check.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(errors.Length == 3, check.ToString());
        Assert.True(errors[0].StartsWith($"{config.Path}:5:5: unknown key 'colour'", StringComparison.Ordinal), check.ToString());
        Assert.True(errors[1].StartsWith($"{config.Path}:10:15: 'kt-bad-name' is not a valid Prometheus metric name", StringComparison.Ordinal), check.ToString());
        Assert.True(errors[2] == $"{config.Path}: 2 error(s)", check.ToString());
        Assert.False(check.Output.Contains(StackTraceMarker, StringComparison.Ordinal), check.ToString());

        // The daemon reads the same file the same way: it must refuse to start with the same two messages.
        await using var daemon = await DaemonProcess.StartAsync(TwoMistakes);
        var exited = await Poll.UntilAsync(() => daemon.HasExited, TimeSpan.FromSeconds(30));
        var (exitCode, _) = await daemon.StopAsync();
        var daemonErrors = daemon.Output.Split('\n')
            .Where(l => l.Contains(":5:5: unknown key 'colour'", StringComparison.Ordinal) || l.Contains(":10:15: 'kt-bad-name'", StringComparison.Ordinal))
            .ToList();
        var message = $"expected the daemon to exit 2 with the same two messages as check\n{check}\n--- daemon (exited: {exited}, code {exitCode}):\n{daemon.Output}";
        Assert.True(exited && exitCode == 2, message);
        Assert.True(daemonErrors.Count == 2, message);
        Assert.True(errors[..2].All(e => daemonErrors.Any(d => d.EndsWith(e[(e.IndexOf(".yaml:", StringComparison.Ordinal) + 5)..], StringComparison.Ordinal))), message);
        Assert.False(daemon.Output.Contains(StackTraceMarker, StringComparison.Ordinal), message);
    }
}
