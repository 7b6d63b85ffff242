using System.Globalization;
using System.Net;

namespace TraceExporter.EndToEndTests.Infrastructure;

/// <summary>The published trace-exporter with every built-in probe at a 1 s interval, on a free loopback port.</summary>
internal sealed class DaemonUnderTest : IAsyncDisposable
{
    public const string AllProbesConfig =
        """
        interval: 1s
        builtin:
          tcp_connects: { labels: [comm, unit, pod_uid] }
          tcp_accepts: true
          skb_drops: true
          tcp_read_bytes: { labels: [comm, unit] }
          tcp_retransmits: true
          process_execs: { labels: [comm, unit, pod_uid] }

        """;

    public static readonly string[] AllProbes =
        ["tcp_connects", "tcp_accepts", "skb_drops", "tcp_read_bytes", "tcp_retransmits", "process_execs"];

    private readonly TempDirectory _directory;
    private readonly ChildProcess _process;

    private DaemonUnderTest(TempDirectory directory, int port, ChildProcess process, string scheme)
    {
        _directory = directory;
        Port = port;
        _process = process;
        BaseAddress = new Uri($"{scheme}://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public string Target => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string Output => _process.Output;

    public static string ConfigFile(TempDirectory directory)
    {
        var path = directory.File("trace-exporter.yaml");
        File.WriteAllText(path, AllProbesConfig);
        return path;
    }

    /// <summary>Starts the daemon and waits until /healthz answers 200 (through <paramref name="http"/>).</summary>
    public static async Task<DaemonUnderTest> StartHealthyAsync(HttpClient http, string? webConfigFile = null)
    {
        var directory = new TempDirectory("te-e2e-daemon");
        var port = FreePort.Next();
        List<string> arguments =
        [
            "--config.file", ConfigFile(directory),
            "--web.listen-address", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
        ];
        if (webConfigFile is not null)
        {
            arguments.AddRange(["--web.config.file", webConfigFile]);
        }

        var executable = RepositoryLayout.Daemon;
        var process = ChildProcess.Start("trace-exporter", executable.Program, executable.Arguments(arguments));
        var daemon = new DaemonUnderTest(directory, port, process, webConfigFile is null ? "http" : "https");
        var last = "no answer";
        var healthy = await Poll.UntilAsync(
            async () =>
            {
                try
                {
                    using var response = await http.GetAsync(new Uri(daemon.BaseAddress, "healthz"));
                    last = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException e)
                {
                    last = e.Message;
                    return daemon._process.HasExited;
                }
            },
            TimeSpan.FromSeconds(90));
        if (!healthy || daemon._process.HasExited)
        {
            var output = daemon.Output;
            await daemon.DisposeAsync();
            throw new InvalidOperationException($"the daemon did not become healthy (last: {last})\n{output}");
        }

        return daemon;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _directory.Dispose();
    }
}
