using System.Globalization;
using System.Net;
using TraceExporter.EndToEndTests.Infrastructure;
using Xunit;

namespace TraceExporter.EndToEndTests;

/// <summary><c>trace-exporter once</c> read back by a real node_exporter's textfile collector.</summary>
public sealed class TextfileTests
{
    [SkippableFact]
    public async Task Node_exporter_reads_the_page_once_writes_without_a_scrape_error()
    {
        EndToEndPrerequisites.Require("bpftrace", "prometheus-node-exporter");
        using var config = new TempDirectory("te-e2e-once");
        using var textfiles = new TempDirectory("te-e2e-textfile");
        var target = textfiles.File("trace.prom");

        var daemon = RepositoryLayout.Daemon;
        await ChildProcess.RunAsync(daemon.Program,
            daemon.Arguments(["once", "--duration", "3s", "--textfile", target, "--config.file", DaemonUnderTest.ConfigFile(config)]));

        // Only the page is left: the temporary file was renamed over it.
        Assert.Equal(["trace.prom"], Directory.GetFiles(textfiles.Path).Select(Path.GetFileName));
        var page = await File.ReadAllTextAsync(target);
        Assert.Contains("trace_exporter_probe_up{probe=\"process_execs\"} 1", page, StringComparison.Ordinal);

        var port = FreePort.Next();
        await using var nodeExporter = ChildProcess.Start("node_exporter", "prometheus-node-exporter",
        [
            "--collector.disable-defaults", "--collector.textfile",
            "--collector.textfile.directory", textfiles.Path,
            "--web.listen-address", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
        ]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = "";
        var answered = await Poll.UntilAsync(
            async () =>
            {
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/metrics"));
                    metrics = await response.Content.ReadAsStringAsync();
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return nodeExporter.HasExited;
                }
            },
            TimeSpan.FromSeconds(30));
        Assert.True(answered && !nodeExporter.HasExited, nodeExporter.Output);

        var lines = metrics.Split('\n');
        Assert.Contains("node_textfile_scrape_error 0", lines);
        Assert.Contains("trace_exporter_probe_up{probe=\"process_execs\"} 1", lines);
        Assert.Contains(lines, l => l.StartsWith("node_textfile_mtime_seconds{file=\"" + target + "\"}", StringComparison.Ordinal));
    }
}
