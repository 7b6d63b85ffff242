using System.Globalization;
using System.Text;
using CliWrap;
using CliWrap.Buffered;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Metrics;

public sealed class LabelEscapingTests
{
    private const string Connects = "trace_tcp_connects_total";

    [SkippableFact]
    public async Task Comms_with_quotes_commas_backslashes_and_invalid_utf8_become_exact_label_values_that_promtool_accepts()
    {
        KernelPrerequisites.Require();
        await using var daemon = await DaemonProcess.StartHealthyAsync();
        await using var ns = await NetworkNamespace.CreateAsync();
        var port = UniqueName.NamespacePort();
        await using var server = await ServerProcess.StartAsync(ns, port);

        // a"b,c\dé: é is the valid UTF-8 pair C3 A9, kept as it is.
        var special = UniqueName.Comm([.. "a\"b,c\\d"u8, 0xC3, 0xA9]);
        var specialLabel = Encoding.UTF8.GetString(special);
        // A lone FF is not UTF-8: the label carries the four characters \xff instead.
        var invalid = UniqueName.Comm([.. "tk"u8, 0xFF]);
        var invalidLabel = "tk\\xff" + Encoding.ASCII.GetString(invalid, 3, invalid.Length - 3);

        await Workload.ConnectAsync(ns, special, port, 3);
        await Workload.ConnectAsync(ns, invalid, port, 3);

        var page = await Poll.UntilAsync(
            daemon.ScrapePageAsync,
            p => p.Counter(Connects, ("comm", specialLabel)) >= 3 && p.Counter(Connects, ("comm", invalidLabel)) >= 3,
            TimeSpan.FromSeconds(15));
        var promtool = await Cli.Wrap("promtool")
            .WithArguments(["check", "metrics"])
            .WithStandardInputPipe(PipeSource.FromString(page.Text))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();

        var message = FailureReport.Describe(
            "expected 3 connects under each unusual comm, and a page promtool accepts",
            daemon,
            page,
            [Connects],
            $"comm bytes {Convert.ToHexString(special)} -> expected label {specialLabel}: got {page.Value(Connects, ("comm", specialLabel))}",
            $"comm bytes {Convert.ToHexString(invalid)} -> expected label {invalidLabel}: got {page.Value(Connects, ("comm", invalidLabel))}",
            $"promtool check metrics exited {promtool.ExitCode.ToString(CultureInfo.InvariantCulture)}:\n{promtool.StandardOutput}{promtool.StandardError}");
        Assert.True(page.Value(Connects, ("comm", specialLabel)) == 3, message);
        Assert.True(page.Value(Connects, ("comm", invalidLabel)) == 3, message);
        Assert.True(promtool.ExitCode == 0, message);
    }
}
