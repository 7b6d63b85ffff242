using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using TraceExporter.Web;

namespace TraceExporter.Tests.Web;

public sealed class MetricsPageCacheTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<TaskCompletionSource<RenderedPage>> _renders = [];

    private MetricsPageCache NewCache() => new(_ =>
    {
        var render = new TaskCompletionSource<RenderedPage>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_renders)
        {
            _renders.Add(render);
        }

        return render.Task;
    }, _time);

    private static RenderedPage Page(string text) => new(Encoding.UTF8.GetBytes(text));

    private async Task<TaskCompletionSource<RenderedPage>> RenderNumberAsync(int n)
    {
        Assert.True(await PollAsync(() => _renders.Count >= n), $"expected render #{n} to start; {_renders.Count} started");
        return _renders[n - 1];
    }

    /// <summary>The cache's first scrape, its render completed with <paramref name="text"/>.</summary>
    private async Task<RenderedPage> FirstPageAsync(MetricsPageCache cache, string text)
    {
        var first = cache.GetAsync();
        (await RenderNumberAsync(1)).SetResult(Page(text));
        return await first;
    }

    /// <summary>The next scrape is not answered until render #2 completes, and gets its page.</summary>
    private async Task AssertNextScrapeWaitsForANewRenderAsync(MetricsPageCache cache)
    {
        var waiting = cache.GetAsync();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        (await RenderNumberAsync(2)).SetResult(Page("b"));

        Assert.Equal("b", Encoding.UTF8.GetString((await waiting).Text));
    }

    private static async Task<bool> PollAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        return condition();
    }

    [Fact]
    public async Task Scrapes_arriving_during_a_render_share_it()
    {
        var cache = NewCache();
        var first = cache.GetAsync();
        var second = cache.GetAsync();
        (await RenderNumberAsync(1)).SetResult(Page("a"));

        Assert.Same(await first, await second);
        Assert.Single(_renders);
    }

    [Fact]
    public async Task A_fresh_page_is_served_without_rendering_again()
    {
        var cache = NewCache();
        var first = await FirstPageAsync(cache, "a");

        _time.Advance(MetricsPageCache.FreshFor - TimeSpan.FromMilliseconds(1));

        Assert.Same(first, await cache.GetAsync());
        Assert.Single(_renders);
    }

    [Fact]
    public async Task A_page_past_fresh_is_served_once_more_while_one_new_render_runs_then_the_new_one()
    {
        var cache = NewCache();
        await FirstPageAsync(cache, "a");
        _time.Advance(MetricsPageCache.FreshFor);

        var stale1 = await cache.GetAsync();
        var stale2 = await cache.GetAsync();
        (await RenderNumberAsync(2)).SetResult(Page("b"));
        RenderedPage next = stale1;
        await PollAsync(() => (next = cache.GetAsync().Result) != stale1);

        Assert.Equal("a", Encoding.UTF8.GetString(stale1.Text));
        Assert.Same(stale1, stale2);
        Assert.Equal("b", Encoding.UTF8.GetString(next.Text));
        Assert.Equal(2, _renders.Count);
    }

    [Fact]
    public async Task A_page_older_than_the_stale_limit_is_not_served_the_scrape_waits_for_a_new_render()
    {
        var cache = NewCache();
        await FirstPageAsync(cache, "a");
        _time.Advance(MetricsPageCache.ServedStaleFor);

        await AssertNextScrapeWaitsForANewRenderAsync(cache);
    }

    [Fact]
    public async Task A_failed_render_fails_its_scrapes_and_the_next_scrape_renders_again()
    {
        var cache = NewCache();
        var failing = cache.GetAsync();
        (await RenderNumberAsync(1)).SetException(new InvalidOperationException("broken"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);

        var retry = cache.GetAsync();
        (await RenderNumberAsync(2)).SetResult(Page("b"));

        Assert.Equal("b", Encoding.UTF8.GetString((await retry).Text));
    }

    [Fact]
    public async Task After_invalidation_the_next_scrape_waits_for_a_new_render_even_of_a_fresh_page()
    {
        var cache = NewCache();
        await FirstPageAsync(cache, "a");

        cache.Invalidate();
        await AssertNextScrapeWaitsForANewRenderAsync(cache);
    }

    [Fact]
    public async Task An_invalidation_during_a_render_starts_the_next_render_only_after_it_and_never_serves_its_page()
    {
        var cache = NewCache();
        var first = cache.GetAsync();
        var running = await RenderNumberAsync(1);

        cache.Invalidate(); // a reload while render #1 (of the state before it) runs
        var second = cache.GetAsync();
        await Task.Delay(50);
        Assert.Single(_renders); // no second render beside the first

        running.SetResult(Page("before"));
        Assert.Equal("before", Encoding.UTF8.GetString((await first).Text)); // its own scrape gets it
        (await RenderNumberAsync(2)).SetResult(Page("after"));
        Assert.Equal("after", Encoding.UTF8.GetString((await second).Text));
        Assert.Equal("after", Encoding.UTF8.GetString((await cache.GetAsync()).Text));
    }

    [Fact]
    public void The_gzip_form_decompresses_to_the_text()
    {
        var text = string.Concat(Enumerable.Range(0, 1000).Select(i => $"m{{k=\"{i}\"}} {i}\n"));
        var page = Page(text);

        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(page.Gzip.ToArray()), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);

        Assert.Equal(text, reader.ReadToEnd());
        Assert.True(page.Gzip.Count < page.Text.Count, $"{page.Gzip.Count} of {page.Text.Count} bytes");
    }

    [Theory]
    [InlineData("gzip", true)]
    [InlineData("gzip, deflate, br", true)]
    [InlineData("GZIP;q=0.5", true)]
    [InlineData("gzip;q=0", false)]
    [InlineData("identity", false)]
    [InlineData("", false)]
    public void Gzip_is_sent_when_the_scraper_accepts_it(string acceptEncoding, bool expected)
    {
        var context = new DefaultHttpContext();
        if (acceptEncoding.Length > 0)
        {
            context.Request.Headers.AcceptEncoding = acceptEncoding;
        }

        Assert.Equal(expected, MetricsEndpoint.AcceptsGzip(context.Request));
    }
}
