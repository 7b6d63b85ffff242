namespace TraceExporter.Web;

/// <summary>
/// Shares renders of the telemetry page between scrapes that come close together. The probes' values only
/// change when bpftrace prints its maps (once per interval), so fifty scrapers do not need fifty renders of
/// ten thousand series:
/// <list type="bullet">
/// <item>a page rendered less than <see cref="FreshFor"/> ago is served as it is;</item>
/// <item>one up to <see cref="ServedStaleFor"/> old is served too, while one new render starts beside it, so
///   a steady stream of scrapes never waits for a render;</item>
/// <item>anything older (a scraper every 15 s sees only this case) waits for a new render, which every scrape
///   arriving meanwhile shares.</item>
/// </list>
/// A page is thus at most <see cref="ServedStaleFor"/> old, and the self-metrics read while rendering (process,
/// BPF run time) with it. A reload is shown at once: <see cref="Invalidate"/>.
/// </summary>
public sealed class MetricsPageCache(Func<CancellationToken, Task<RenderedPage>> render, TimeProvider time)
{
    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan ServedStaleFor = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private Task<RenderedPage>? _latest;
    private DateTimeOffset _latestStarted;
    private Task<RenderedPage>? _pending;
    private DateTimeOffset _pendingStarted;

    /// <summary>Something was changed on purpose (a reload): the next scrape waits for a render made after it.</summary>
    public void Invalidate()
    {
        lock (_lock)
        {
            _latest = null;
            _pending = null; // one already running may have read the state from before
        }
    }

    public Task<RenderedPage> GetAsync()
    {
        lock (_lock)
        {
            if (_pending is { IsCompleted: true } done)
            {
                // A failed render is not hidden behind an older page: the next scrape renders and sees the failure.
                _latest = done.IsCompletedSuccessfully ? done : null;
                _latestStarted = _pendingStarted;
                _pending = null;
            }

            var age = _latest is null ? TimeSpan.MaxValue : time.GetUtcNow() - _latestStarted;
            if (age < FreshFor)
            {
                return _latest!;
            }

            if (_pending is null)
            {
                _pendingStarted = time.GetUtcNow();
                // Not one scraper's cancellation token: the render is shared by every scrape waiting for it.
                _pending = Task.Run(() => render(CancellationToken.None));
            }

            return age < ServedStaleFor ? _latest! : _pending;
        }
    }
}
