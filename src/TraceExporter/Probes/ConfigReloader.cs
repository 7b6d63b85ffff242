using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TraceExporter.Configuration;
using TraceExporter.Metrics;

namespace TraceExporter.Probes;

/// <summary>
/// Re-reads the configuration file on SIGHUP or <c>POST /-/reload</c>. A file that fails validation is refused
/// with every error logged, and the running probes stay exactly as they were.
/// </summary>
public sealed partial class ConfigReloader : IHostedService, IDisposable
{
    private readonly string _path;
    private readonly ProbeHost _probes;
    private readonly SelfMetrics _self;
    private readonly TimeProvider _time;
    private readonly ILogger<ConfigReloader> _logger;
    private readonly SemaphoreSlim _one = new(1, 1);
    private PosixSignalRegistration? _sighup;

    public ConfigReloader(ExporterConfig config, ProbeHost probes, SelfMetrics self, TimeProvider time, ILogger<ConfigReloader> logger)
    {
        _path = config.SourcePath;
        _probes = probes;
        _self = self;
        _time = time;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _self.ReloadSuccessful.Set(1);
        _self.ReloadTimestamp.Set(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // SIGHUP means reload, not hang up
            _ = ReloadAsync(CancellationToken.None);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _sighup?.Dispose();
        _sighup = null;
        return Task.CompletedTask;
    }

    /// <summary>Raised after every reload attempt, applied or refused (the telemetry page renders afresh).</summary>
    public event Action? Attempted;

    /// <summary>Returns the errors that made the reload fail; empty when it was applied.</summary>
    public async Task<IReadOnlyList<string>> ReloadAsync(CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ExporterConfig next;
            try
            {
                next = ConfigLoader.Load(_path);
            }
            catch (ConfigException e)
            {
                var errors = e.Errors.Select(error => error.ToString()).ToList();
                foreach (var error in errors)
                {
                    LogRefused(error);
                }

                _self.ReloadSuccessful.Set(0);
                Attempted?.Invoke();
                return errors;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return Refuse($"{_path}: the configuration could not be loaded: {e.GetType().Name}: {e.Message}");
            }

            try
            {
                await _probes.ReloadAsync(next, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Called from SIGHUP with no one to catch it: an exception here would go unseen.
                return Refuse($"applying the configuration failed: {e.GetType().Name}: {e.Message}");
            }

            _self.ReloadSuccessful.Set(1);
            _self.ReloadTimestamp.Set(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
            Attempted?.Invoke();
            return [];
        }
        finally
        {
            _one.Release();
        }
    }

    private string[] Refuse(string error)
    {
        LogRefused(error);
        _self.ReloadSuccessful.Set(0);
        Attempted?.Invoke();
        return [error];
    }

    public void Dispose()
    {
        _sighup?.Dispose();
        _one.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reload refused, the running probes are unchanged: {Error}")]
    private partial void LogRefused(string error);
}
