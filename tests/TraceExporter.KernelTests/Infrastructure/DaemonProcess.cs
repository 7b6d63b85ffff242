using System.Diagnostics;
using System.Globalization;
using System.Net;
using CliWrap;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>
/// The real trace-exporter as it ships (the published native executable), running with every built-in probe at a
/// 1 s interval on the bpftrace the tests were given (<see cref="TestBpftrace"/>).
/// Its stdout and stderr go into <see cref="Output"/>, which every assertion message should include.
/// </summary>
internal sealed class DaemonProcess : IAsyncDisposable
{
    public const string AllProbesConfig =
        """
        interval: 1s
        builtin:
          tcp_connects: true
          tcp_accepts: true
          skb_drops: true
          tcp_read_bytes: true
          tcp_retransmits: true
          process_execs: true

        """;

    public static readonly IReadOnlyList<string> AllProbes =
        ["tcp_connects", "tcp_accepts", "skb_drops", "tcp_read_bytes", "tcp_retransmits", "process_execs"];

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly OutputLog _log = new();
    private readonly CancellationTokenSource _kill = new();
    private readonly string _configFile;
    private CommandTask<CommandResult>? _task;

    private DaemonProcess(int port, string configFile)
    {
        Port = port;
        _configFile = configFile;
    }

    public int Port { get; }

    public int ProcessId => _task?.ProcessId ?? throw new InvalidOperationException("not started");

    public bool HasExited => _task?.Task.IsCompleted ?? false;

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>The configuration file the daemon reads; tests of reload rewrite it.</summary>
    public string ConfigFile => _configFile;

    /// <summary>The daemon's stdout and stderr so far, for assertion messages.</summary>
    public string Output => _log.ToString();

    public static async Task<DaemonProcess> StartAsync(string config = AllProbesConfig, IEnumerable<string>? extraArguments = null)
    {
        var executable = RepositoryLayout.Daemon;
        var configFile = Path.Combine(Path.GetTempPath(), $"te-kt-{UniqueName.Suffix(10)}.yaml");
        await File.WriteAllTextAsync(configFile, TestBpftrace.Configure(config));
        var daemon = new DaemonProcess(FreePort.Next(), configFile);
        daemon._task = Cli.Wrap(executable.Program)
            .WithArguments(executable.Arguments(
            [
                "--config.file", configFile,
                "--web.listen-address", $"127.0.0.1:{daemon.Port.ToString(CultureInfo.InvariantCulture)}",
                "--log.level", "debug",
                .. (extraArguments ?? []),
            ]))
            .WithStandardOutputPipe(PipeTarget.ToDelegate(daemon._log.AppendStandardOutput))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(daemon._log.AppendStandardError))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(daemon._kill.Token);
        daemon._log.Note($"started {executable.Path} as pid {daemon.ProcessId} on port {daemon.Port} with {configFile} ({TestBpftrace.Describe()})");
        return daemon;
    }

    /// <summary>Replaces the configuration file (for a reload), with the same bpftrace as at the start.</summary>
    public Task RewriteConfigAsync(string config) => File.WriteAllTextAsync(_configFile, TestBpftrace.Configure(config));

    /// <summary>Starts the daemon and waits until /healthz says every probe is attached.</summary>
    public static async Task<DaemonProcess> StartHealthyAsync(string config = AllProbesConfig, IEnumerable<string>? extraArguments = null)
    {
        var daemon = await StartAsync(config, extraArguments);
        try
        {
            await daemon.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }

        return daemon;
    }

    /// <summary>GET a path; null when nothing answers (not listening yet, or gone).</summary>
    public async Task<HttpResponseMessage?> TryGetAsync(string path)
    {
        try
        {
            return await Http.GetAsync(new Uri(BaseAddress, path));
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    public async Task WaitUntilHealthyAsync(TimeSpan deadline)
    {
        var lastStatus = "no answer";
        var healthy = await Poll.UntilAsync(
            async () =>
            {
                using var response = await TryGetAsync("healthz");
                lastStatus = response is null ? "no answer" : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                return response?.StatusCode == HttpStatusCode.OK || HasExited;
            },
            deadline);
        if (!healthy || HasExited)
        {
            throw new InvalidOperationException(
                (HasExited ? "the daemon exited before /healthz returned 200" : $"/healthz did not return 200 within {deadline}")
                + $" (last: {lastStatus})\n{Output}");
        }
    }

    public async Task<string> ScrapeAsync()
    {
        using var response = await TryGetAsync("metrics")
            ?? throw new InvalidOperationException($"GET /metrics got no answer (exited: {HasExited})\n{Output}");
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET /metrics returned {(int)response.StatusCode}:\n{body}\n{Output}");
        }

        return body;
    }

    public async Task<MetricsPage> ScrapePageAsync() => MetricsPage.Parse(await ScrapeAsync());

    /// <summary>
    /// Sends SIGTERM and waits for the exit, sending SIGKILL after <paramref name="killAfter"/>.
    /// Returns the exit code (null when it had to be killed) and how long the exit took.
    /// </summary>
    public async Task<(int? ExitCode, TimeSpan Elapsed)> StopAsync(TimeSpan? killAfter = null)
    {
        var task = _task ?? throw new InvalidOperationException("not started");
        var stopwatch = Stopwatch.StartNew();
        if (!task.Task.IsCompleted)
        {
            _log.Note("sending SIGTERM");
            UnixSignal.Send(task.ProcessId, UnixSignal.SigTerm);
        }

        try
        {
            var result = await task.Task.WaitAsync(killAfter ?? TimeSpan.FromSeconds(10));
            _log.Note($"exited with {result.ExitCode} after {stopwatch.Elapsed}");
            return (result.ExitCode, stopwatch.Elapsed);
        }
        catch (TimeoutException)
        {
            _log.Note($"still running after {stopwatch.Elapsed}: killing");
            await _kill.CancelAsync();
            try
            {
                await task;
            }
            catch (OperationCanceledException)
            {
            }

            return (null, stopwatch.Elapsed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_task is not null && !_task.Task.IsCompleted)
        {
            await StopAsync();
        }

        _kill.Dispose();
        File.Delete(_configFile);
    }
}
