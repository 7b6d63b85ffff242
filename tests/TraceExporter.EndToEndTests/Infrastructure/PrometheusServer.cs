using System.Globalization;
using System.Net;
using System.Text.Json;

namespace TraceExporter.EndToEndTests.Infrastructure;

/// <summary>
/// A real Prometheus (Debian's package) on a free loopback port with its own configuration and storage in a
/// temporary directory, scraping every second. Killed and its directory deleted on dispose.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly TempDirectory _directory;
    private readonly ChildProcess _process;

    private PrometheusServer(TempDirectory directory, int port, ChildProcess process)
    {
        _directory = directory;
        Port = port;
        _process = process;
    }

    public int Port { get; }

    public string Output => _process.Output;

    /// <summary>Files the scrape configuration refers to (certificates, passwords) go here.</summary>
    public static TempDirectory NewDirectory() => new("te-e2e-prometheus");

    /// <param name="scrapeConfig">The job's YAML lines below <c>- job_name: trace-exporter</c>, indented 4.</param>
    public static async Task<PrometheusServer> StartAsync(TempDirectory directory, string scrapeConfig)
    {
        var config = directory.File("prometheus.yml");
        await File.WriteAllTextAsync(config,
            $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: trace-exporter
            {scrapeConfig}
            """);
        var port = FreePort.Next();
        var process = ChildProcess.Start("prometheus", "prometheus",
        [
            "--config.file", config,
            "--storage.tsdb.path", directory.File("data"),
            "--web.listen-address", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
        ]);
        var server = new PrometheusServer(directory, port, process);
        var ready = await Poll.UntilAsync(
            async () =>
            {
                try
                {
                    using var response = await Http.GetAsync(server.Url("/-/ready"));
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return process.HasExited;
                }
            },
            TimeSpan.FromSeconds(60));
        if (!ready || process.HasExited)
        {
            var output = server.Output;
            await server.DisposeAsync();
            throw new InvalidOperationException($"Prometheus did not become ready\n{output}");
        }

        return server;
    }

    /// <summary>An instant query; each result as its labels and value.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string expression)
    {
        var json = await Http.GetStringAsync(Url("/api/v1/query?query=" + Uri.EscapeDataString(expression)));
        using var document = JsonDocument.Parse(json);
        var data = document.RootElement.GetProperty("data");
        var results = new List<(IReadOnlyDictionary<string, string>, double)>();
        foreach (var item in data.GetProperty("result").EnumerateArray())
        {
            var labels = item.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
            var value = double.Parse(item.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
            results.Add((labels, value));
        }

        return results;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _directory.Dispose();
    }

    private Uri Url(string pathAndQuery) => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}{pathAndQuery}");
}
