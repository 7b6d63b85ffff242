using System.Globalization;
using Microsoft.Extensions.Logging;

namespace TraceExporter.Probes;

/// <summary>
/// Keeps one <see cref="IChildGroup"/> running until stopped: a run that ends is started again after
/// <see cref="RestartBackoff"/> (1 s, 2 s, 4 s … with jitter; a run that lasted <see cref="RestartBackoff.StableAfter"/>
/// starts the sequence again). A run that throws is logged and treated as one that ended: a bug in one
/// probe's handling never stops the others. Time comes from the given <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class ChildSupervisor : IAsyncDisposable
{
    private readonly IChildGroup _group;
    private readonly RestartBackoff _backoff;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<double> _random;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public ChildSupervisor(IChildGroup group, RestartBackoff backoff, TimeProvider time, ILogger logger, Func<double>? random = null)
    {
        _group = group;
        _backoff = backoff;
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared.NextDouble;
    }

    public IChildGroup Group => _group;

    /// <summary>Runs (restarted as needed) until <see cref="StopAsync"/>; completes when the loop has ended.</summary>
    public Task Completion => _loop;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var failures = 0;
        var restart = false;
        while (!stopping.IsCancellationRequested)
        {
            ChildRun run;
            var started = _time.GetUtcNow();
            try
            {
                run = await _group.RunOnceAsync(restart, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogRunFailed(e, _group.Name);
                run = new ChildRun(ChildRunEnd.Ended, _time.GetUtcNow() - started, e.Message);
            }

            if (stopping.IsCancellationRequested || run.End == ChildRunEnd.Finished)
            {
                return;
            }

            if (run.End == ChildRunEnd.Retry)
            {
                restart = false;
                continue;
            }

            failures = run.Duration >= RestartBackoff.StableAfter ? 1 : failures + 1;
            var delay = _backoff.Delay(failures, _random());
            LogRestarting(_group.Name, delay.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture), run.Detail);
            try
            {
                await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            restart = true;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Group} ended; starting it again in {Seconds} s. {Detail}")]
    private partial void LogRestarting(string group, string seconds, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Group} failed; it is started again after a delay")]
    private partial void LogRunFailed(Exception e, string group);
}
