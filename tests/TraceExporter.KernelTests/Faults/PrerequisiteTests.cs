using System.Globalization;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Faults;

public sealed class PrerequisiteTests
{
    private const int ExitPrerequisites = 3;
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(20);

    [SkippableFact]
    public async Task A_missing_bpftrace_makes_the_daemon_exit_3_promptly_with_one_line_naming_it()
    {
        KernelPrerequisites.Require();
        var (exitCode, lines, daemon) = await RunUntilExitAsync("/nonexistent/bpftrace");
        await using (daemon)
        {
            var message = FailureReport.Describe(
                $"expected exit {ExitPrerequisites} within {Promptly} and exactly one 'cannot start' line naming /nonexistent/bpftrace",
                daemon, null, [], $"exit code {exitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}", $"lines: [{string.Join(" | ", lines)}]");
            Assert.True(exitCode == ExitPrerequisites, message);
            Assert.True(lines.Count == 1 && lines[0].Contains("/nonexistent/bpftrace", StringComparison.Ordinal), message);
        }
    }

    [SkippableFact]
    public async Task A_bpftrace_older_than_0_14_makes_the_daemon_exit_3_with_one_line_saying_too_old()
    {
        KernelPrerequisites.Require();
        var directory = Directory.CreateTempSubdirectory("te-kt-");
        try
        {
            var fake = Path.Combine(directory.FullName, "bpftrace");
            await File.WriteAllTextAsync(fake, "#!/bin/sh\necho 'bpftrace v0.9.0'\n");
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute);

            var (exitCode, lines, daemon) = await RunUntilExitAsync(fake);
            await using (daemon)
            {
                var message = FailureReport.Describe(
                    $"expected exit {ExitPrerequisites} within {Promptly} and exactly one 'cannot start' line saying bpftrace 0.9.0 is too old",
                    daemon, null, [], $"exit code {exitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}", $"lines: [{string.Join(" | ", lines)}]");
                Assert.True(exitCode == ExitPrerequisites, message);
                Assert.True(
                    lines.Count == 1
                        && lines[0].Contains("too old", StringComparison.OrdinalIgnoreCase)
                        && lines[0].Contains("0.9.0", StringComparison.Ordinal),
                    message);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Starts the daemon with that bpftrace path and waits for it to exit; returns its "cannot start" lines.</summary>
    private static async Task<(int? ExitCode, List<string> Lines, DaemonProcess Daemon)> RunUntilExitAsync(string bpftracePath)
    {
        var daemon = await DaemonProcess.StartAsync(
            $"""
            interval: 1s
            builtin:
              tcp_connects: true
            bpftrace:
              path: {bpftracePath}

            """);
        await Poll.UntilAsync(() => daemon.HasExited, Promptly);
        var exited = daemon.HasExited;
        var (exitCode, _) = await daemon.StopAsync(killAfter: TimeSpan.FromSeconds(5));
        var lines = daemon.Output.Split('\n')
            .Where(l => l.Contains("cannot start", StringComparison.Ordinal))
            .Select(l => l.Trim())
            .ToList();
        return (exited ? exitCode : null, lines, daemon);
    }
}
