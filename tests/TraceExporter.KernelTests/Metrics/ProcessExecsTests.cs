using CliWrap;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Metrics;

public sealed class ProcessExecsTests
{
    private const string Execs = "trace_process_execs_total";
    private const int Runs = 7;

    [SkippableFact]
    public async Task A_binary_executed_seven_times_counts_exactly_seven_execs_for_its_name()
    {
        KernelPrerequisites.Require();
        await using var daemon = await DaemonProcess.StartHealthyAsync();
        var name = "tkx" + UniqueName.Suffix(12);
        var directory = Directory.CreateTempSubdirectory("te-kt-");
        try
        {
            // After exec the comm is the file's basename, so a uniquely named copy of true is a unique comm.
            var binary = Path.Combine(directory.FullName, name);
            File.Copy("/bin/true", binary);
            File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            for (var i = 0; i < Runs; i++)
            {
                var result = await Cli.Wrap(binary).WithValidation(CommandResultValidation.None).ExecuteAsync();
                Assert.Equal(0, result.ExitCode);
            }

            var page = await Poll.UntilAsync(
                daemon.ScrapePageAsync, p => p.Counter(Execs, ("comm", name)) >= Runs, TimeSpan.FromSeconds(15));
            var later = await Poll.ThroughoutAsync(daemon.ScrapePageAsync, 2 * DaemonProcess.Interval + TimeSpan.FromMilliseconds(500));
            var values = later.Select(p => p.Value(Execs, ("comm", name))).ToList();

            Assert.True(
                values.All(v => v == Runs),
                FailureReport.Describe(
                    $"expected exactly {Runs} execs of comm {name}, steady for two intervals",
                    daemon,
                    later[^1],
                    [Execs],
                    $"first value reaching {Runs} (or at the deadline): {page.Value(Execs, ("comm", name))}",
                    $"over the next two intervals: [{string.Join(", ", values)}]"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
