namespace TraceExporter.Web;

/// <summary>
/// Shares renders of the telemetry page between scrapes that come close together, and never runs two renders
/// at once. The probes' values only change when bpftrace prints its maps (once per interval), so fifty
/// scrapers do not need fifty renders of ten thousand series:
/// <list type="bullet">
/// <item>a page rendered less than <see cref="FreshFor"/> ago is served as it is;</item>
/// <item>one up to <see cref="ServedStaleFor"/> old is served too, while one new render starts, so a steady
///   stream of scrapes never waits for a render;</item>
/// <item>anything older (a scraper every 15 s sees only this case) waits for a new render, which every scrape
///   arriving meanwhile shares.</item>
/// </list>
/// A page is thus at most <see cref="ServedStaleFor"/> old, and the self-metrics read while rendering (process,
/// BPF run time) with it. A reload is shown at once (<see cref="Invalidate"/>): the next scrape waits for a
/// render that starts after it, which starts only once any render still running has finished. The
/// scrape-time callbacks of the self-metrics thus never run on two threads at once.
/// </summary>
public sealed class MetricsPageCache(Func<CancellationToken, Task<RenderedPage>> render, TimeProvider time)
{
    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan ServedStaleFor = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private int _generation;
    private Task<RenderedPage>? _latest;
    private DateTimeOffset _latestStarted;
    private Task<RenderedPage>? _rendering;
    private DateTimeOffset _renderingStarted;
    private int _renderingGeneration;

    /// <summary>Something was changed on purpose (a reload): the next scrape waits for a render made after it.</summary>
    public void Invalidate()
    {
        lock (_lock)
        {
            _generation++;
            _latest = null;
        }
    }

    public Task<RenderedPage> GetAsync()
    {
        lock (_lock)
        {
            if (_rendering is { IsCompleted: true } done)
            {
                // A failed render is not hidden behind an older page: the next scrape renders and sees the failure.
                // One that started before an invalidation shows the state from before: never served again.
                if (done.IsCompletedSuccessfully && _renderingGeneration == _generation)
                {
                    _latest = done;
                    _latestStarted = _renderingStarted;
                }

                _rendering = null;
            }

            var age = _latest is null ? TimeSpan.MaxValue : time.GetUtcNow() - _latestStarted;
            if (age < FreshFor)
            {
                return _latest!;
            }

            if (_rendering is null || _renderingGeneration != _generation)
            {
                // After the render still running, if any: renders never overlap.
                var previous = _rendering;
                _rendering = Task.Run(() => RenderAfterAsync(previous));
                _renderingStarted = time.GetUtcNow();
                _renderingGeneration = _generation;
            }

            return age < ServedStaleFor ? _latest! : _rendering;
        }
    }

    private async Task<RenderedPage> RenderAfterAsync(Task<RenderedPage>? previous)
    {
        if (previous is not null)
        {
            try
            {
                await previous.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Its own waiters saw its failure; this render is a new attempt.
            }
        }

        // Not one scraper's cancellation token: the render is shared by every scrape waiting for it.
        return await render(CancellationToken.None).ConfigureAwait(false);
    }
}
