using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using TraceExporter.Configuration;
using TraceExporter.Kernel;
using TraceExporter.Metrics;

namespace TraceExporter.Probes;

/// <summary>
/// Owns the probes: decides which built-ins this host can run, keeps their bpftrace process going, and
/// answers what state each is in. Start-up waits until the probes are attached (or known to fail), so a
/// systemd <c>Type=notify</c> READY means "measuring".
/// </summary>
public sealed partial class ProbeSupervisor : IHostedService, IDisposable
{
    private static readonly TimeSpan AttachWait = TimeSpan.FromSeconds(60);
    private readonly ExporterConfig _config;
    private readonly HostFacts _host;
    private readonly BpftraceRunner _bpftrace;
    private readonly SelfMetrics _self;
    private readonly CollectorRegistry _registry;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<ProbeSupervisor> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<ProbeState> _unavailable = [];
    private ProbeGroupRunner? _group;
    private Task _loop = Task.CompletedTask;

    public ProbeSupervisor(
        ExporterConfig config,
        HostFacts host,
        BpftraceRunner bpftrace,
        SelfMetrics self,
        CollectorRegistry registry,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        ILogger<ProbeSupervisor> logger)
    {
        _config = config;
        _host = host;
        _bpftrace = bpftrace;
        _self = self;
        _registry = registry;
        _time = time;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>The bpftrace process of the built-in probes, while one runs (for tests and the landing page).</summary>
    public int? BuiltinProcessId => _group?.ProcessId;

    public IReadOnlyList<ProbeState> States
    {
        get
        {
            var states = new List<ProbeState>(_unavailable);
            if (_group is not null)
            {
                states.AddRange(_group.Members.Select(m => new ProbeState(m.Name, "builtin", m.Status, m.Reason)));
            }

            return states.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_host.DropReasons is { } reasons)
        {
            LogDropReasons(reasons.Count, reasons.Source);
        }

        var factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        var members = new List<ProbeMember>();
        foreach (var probe in EnabledBuiltins())
        {
            _self.ProbeUp.WithLabels(probe.Name).Set(0);
            var counter = factory.CreateCounter(probe.MetricName, probe.Help, probe.LabelName);
            try
            {
                var fragment = probe.BuildProgram(_host);
                members.Add(new ProbeMember(probe, fragment, new CumulativeCounterMap(counter, LabelFor(probe.KeyKind))));
            }
            catch (ProbeUnavailableException e)
            {
                _unavailable.Add(new ProbeState(probe.Name, "builtin", ProbeStatus.Failed, e.Message));
                LogUnavailable(probe.Name, e.Message);
            }
        }

        if (members.Count == 0)
        {
            return;
        }

        _group = new ProbeGroupRunner("builtin", members, _bpftrace, _self, _config.Interval, _time, RestartBackoff.Default, _logger);
        _loop = Task.Run(() => RunGroupAsync(_group), CancellationToken.None);

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(AttachWait);
        try
        {
            await _group.FirstAttemptSettled.WaitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogSlowAttach(AttachWait.TotalSeconds);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RunGroupAsync(ProbeGroupRunner group)
    {
        try
        {
            await group.RunAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSupervisorCrashed(e);
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
        }
    }

    private IEnumerable<BuiltinProbe> EnabledBuiltins() =>
        BuiltinProbeCatalogue.All.Where(p => _config.Builtin is null || _config.Builtin.GetValueOrDefault(p.Name));

    private Func<NumericKey, string> LabelFor(KeyKind kind) => kind switch
    {
        KeyKind.Comm => key => LabelText.FromPackedName(key.First, key.Second),
        KeyKind.Interface => key => LabelText.FromPackedName(key.First, key.Second) is { Length: > 0 } name ? name : "unknown",
        KeyKind.DropReason => key => _host.DropReasons?.NameOf((long)key.First) ?? key.First.ToString(CultureInfo.InvariantCulture),
        _ => key => key.First.ToString(CultureInfo.InvariantCulture),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Drop reasons: {Count} names from {Source}")]
    private partial void LogDropReasons(int count, string source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Probe {Probe} cannot run on this host: {Reason}")]
    private partial void LogUnavailable(string probe, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Probes not attached after {Seconds} s; serving metrics meanwhile")]
    private partial void LogSlowAttach(double seconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The probe supervisor failed; stopping")]
    private partial void LogSupervisorCrashed(Exception e);
}
