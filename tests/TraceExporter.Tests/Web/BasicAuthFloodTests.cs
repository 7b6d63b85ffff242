using System.Text;
using Microsoft.AspNetCore.Http;
using TraceExporter.Web;

namespace TraceExporter.Tests.Web;

/// <summary>Wrong passwords are cheap for the server: remembered, verified a few at a time off the thread pool, refused at once when too many wait.</summary>
public sealed class BasicAuthFloodTests : IDisposable
{
    private const string User = "prometheus";
    private const string Password = "right horse battery";
    private readonly BcryptVerifier _verifier = new();

    [Fact]
    public async Task A_repeated_wrong_password_is_not_verified_again()
    {
        var checks = 0;
        using var verifier = new BcryptVerifier(verify: (password, hash) => { Interlocked.Increment(ref checks); return BCrypt.Net.BCrypt.Verify(password, hash); });
        var auth = Middleware(verifier, cost: 4);

        for (var i = 0; i < 11; i++)
        {
            Assert.Equal(401, await StatusAsync(auth, User, "wrong"));
        }

        Assert.Equal(1, checks);
    }

    [Fact]
    public async Task The_right_password_is_let_through_and_remembered()
    {
        var checks = 0;
        using var verifier = new BcryptVerifier(verify: (password, hash) => { Interlocked.Increment(ref checks); return BCrypt.Net.BCrypt.Verify(password, hash); });
        var auth = Middleware(verifier, cost: 4);

        Assert.Equal(200, await StatusAsync(auth, User, Password));
        Assert.Equal(200, await StatusAsync(auth, User, Password));

        Assert.Equal(1, checks);
        Assert.Equal(401, await StatusAsync(auth, "nobody", Password));
    }

    [Fact]
    public async Task A_flood_of_distinct_wrong_passwords_is_refused_without_blocking_the_thread_pool_and_a_known_scrape_goes_on()
    {
        // Every wrong password's bcrypt check waits on the gate, so the flood holds the verifier's threads for as
        // long as the test likes; the known scrape must be answered meanwhile (no clock: a loaded machine makes
        // nothing fail here).
        using var gate = new ManualResetEventSlim();
        using var verifier = new BcryptVerifier(threads: 2, queueLength: 4, verify: (password, _) =>
        {
            if (password == Password)
            {
                return true;
            }

            gate.Wait(TimeSpan.FromMinutes(1));
            return false;
        });
        var auth = Middleware(verifier, cost: 10);
        Assert.Equal(200, await StatusAsync(auth, User, Password)); // Prometheus scraped before the flood

        var flood = Enumerable.Range(0, 200).Select(i => Task.Run(() => StatusAsync(auth, User, $"guess {i}"))).ToList();
        var status = await Task.Run(() => StatusAsync(auth, User, Password)).WaitAsync(TimeSpan.FromMinutes(1));
        var answeredDuringFlood = !gate.IsSet;
        gate.Set();
        var statuses = await Task.WhenAll(flood).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(200, status);
        Assert.True(answeredDuringFlood, "the known scrape was answered only after the flood's checks");
        Assert.All(statuses, s => Assert.Equal(401, s));
    }

    [Fact]
    public async Task At_most_the_verifier_s_threads_run_bcrypt_at_once_and_the_rest_is_refused_at_once()
    {
        var running = 0;
        var most = 0;
        using var gate = new ManualResetEventSlim();
        using var verifier = new BcryptVerifier(threads: 1, queueLength: 2, verify: (_, _) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            gate.Wait(TimeSpan.FromSeconds(10));
            Interlocked.Decrement(ref running);
            return false;
        });

        var results = Enumerable.Range(0, 20).Select(i => verifier.VerifyAsync($"p{i}", "h")).ToList();
        var refusedAtOnce = results.Count(r => r.IsCompleted && r.Result is null);
        gate.Set();
        await Task.WhenAll(results);

        Assert.Equal(1, most);
        Assert.True(refusedAtOnce >= 17, $"{refusedAtOnce} refused at once");
        Assert.Equal(20 - refusedAtOnce, results.Count(r => r.Result is false));
    }

    [Fact]
    public void An_unknown_user_is_checked_against_a_hash_of_the_configured_users_cost()
    {
        var auth = Middleware(cost: 12);

        Assert.Equal(12, BcryptCost.Of(auth.UnknownUserHash));
    }

    public void Dispose() => _verifier.Dispose();

    private WebConfigBasicAuth Middleware(int cost) => Middleware(_verifier, cost);

    private static WebConfigBasicAuth Middleware(BcryptVerifier verifier, int cost) => new(
        context => { context.Response.StatusCode = 200; return Task.CompletedTask; },
        new WebConfig { BasicAuthUsers = new Dictionary<string, string> { [User] = BCrypt.Net.BCrypt.HashPassword(Password, cost) } },
        verifier,
        Prometheus.Metrics.NewCustomRegistry());

    private static async Task<int> StatusAsync(WebConfigBasicAuth auth, string user, string password)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        context.Response.Body = new MemoryStream();
        await auth.InvokeAsync(context);
        return context.Response.StatusCode;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
