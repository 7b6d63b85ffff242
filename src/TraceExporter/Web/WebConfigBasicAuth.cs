using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Prometheus;
using TraceExporter.Metrics;

namespace TraceExporter.Web;

/// <summary>
/// HTTP basic authentication against <c>basic_auth_users</c>, for every path but <c>/healthz</c>, which shows
/// unauthenticated requests its status only (<see cref="HealthEndpoint"/>). bcrypt is slow on purpose, so it is kept off the request path:
/// <list type="bullet">
/// <item>a user and password that verified once are remembered, and so is a pair that failed: a repeated
/// scrape, or a repeated wrong password, costs no bcrypt at all (remembered by an HMAC of the pair under a
/// key made at start, never the password itself);</item>
/// <item>the others are verified by <see cref="BcryptVerifier"/>, a few at a time on threads of their own,
/// awaited asynchronously; what cannot be checked soon is refused at once (401);</item>
/// <item>an unknown user is checked against a dummy hash of the configured users' cost, so the time taken does
/// not tell which user names exist.</item>
/// </list>
/// Every refusal is counted in <c>trace_exporter_web_auth_refused_total{reason}</c>.
/// </summary>
public sealed class WebConfigBasicAuth
{
    /// <summary>Pairs remembered, each way; past this the oldest half is forgotten.</summary>
    public const int RememberedMax = 4096;

    private readonly RequestDelegate _next;
    private readonly WebConfig _config;
    private readonly BcryptVerifier _verifier;
    private readonly Counter _refused;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly Remembered _verified = new();
    private readonly Remembered _failed = new();

    public WebConfigBasicAuth(RequestDelegate next, WebConfig config, BcryptVerifier verifier, CollectorRegistry registry)
    {
        _next = next;
        _config = config;
        _verifier = verifier;
        _refused = Prometheus.Metrics.WithCustomRegistry(registry).CreateCounter(
            SelfMetricNames.WebAuthRefused, "HTTP requests refused by basic authentication: missing (no credentials), wrong (checked or remembered wrong), busy (too many waiting to be checked).", "reason");
        var cost = config.BasicAuthUsers.Values.Select(BcryptCost.Of).DefaultIfEmpty(BcryptCost.Default).Max();
        UnknownUserHash = BCrypt.Net.BCrypt.HashPassword(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), cost);
    }

    /// <summary>What an unknown user's password is checked against: as costly as the real users' hashes.</summary>
    internal string UnknownUserHash { get; }

    public async Task InvokeAsync(HttpContext context)
    {
        var outcome = await CheckAsync(context.Request.Headers.Authorization.ToString()).ConfigureAwait(false);
        context.Items[typeof(WebConfigBasicAuth)] = outcome == Outcome.Authorized;
        if (outcome == Outcome.Authorized || IsOpenPath(context.Request.Path))
        {
            await _next(context).ConfigureAwait(false);
            return;
        }

        _refused.WithLabels(outcome.ToString().ToLowerInvariant()).Inc();
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"trace-exporter\", charset=\"UTF-8\"";
        await context.Response.WriteAsync("Unauthorized\n", context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Whether this request's credentials were verified; true when there is no basic authentication.</summary>
    public static bool IsAuthenticated(HttpContext context) =>
        !context.Items.TryGetValue(typeof(WebConfigBasicAuth), out var value) || value is true;

    /// <summary><c>/healthz</c> answers everyone (with its status only, see <see cref="HealthEndpoint"/>): liveness probes carry no credentials.</summary>
    private static bool IsOpenPath(PathString path) => path.Equals("/healthz", StringComparison.Ordinal);

    private async Task<Outcome> CheckAsync(string header)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var value)
            || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || value.Parameter is null)
        {
            return Outcome.Missing;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
        }
        catch (FormatException)
        {
            return Outcome.Missing;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return Outcome.Missing;
        }

        var user = decoded[..colon];
        var password = decoded[(colon + 1)..];
        var key = Convert.ToHexString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(user + "\0" + password)));
        if (_verified.Contains(key))
        {
            return Outcome.Authorized;
        }

        if (_failed.Contains(key))
        {
            return Outcome.Wrong;
        }

        var known = _config.BasicAuthUsers.TryGetValue(user, out var hash);
        if (await _verifier.VerifyAsync(password, known ? hash! : UnknownUserHash).ConfigureAwait(false) is not { } matched)
        {
            return Outcome.Busy;
        }

        var authorized = matched && known;
        (authorized ? _verified : _failed).Add(key);
        return authorized ? Outcome.Authorized : Outcome.Wrong;
    }

    private enum Outcome
    {
        Authorized,
        Missing,
        Wrong,
        Busy,
    }

    /// <summary>A bounded set of pair keys; when full, the older half goes (a flood of new pairs cannot grow it).</summary>
    private sealed class Remembered
    {
        private readonly ConcurrentDictionary<string, long> _keys = new(StringComparer.Ordinal);
        private long _next;

        public bool Contains(string key) => _keys.ContainsKey(key);

        public void Add(string key)
        {
            var order = Interlocked.Increment(ref _next);
            _keys[key] = order;
            if (_keys.Count > RememberedMax)
            {
                var cutoff = order - (RememberedMax / 2);
                foreach (var (old, at) in _keys)
                {
                    if (at <= cutoff)
                    {
                        _keys.TryRemove(old, out _);
                    }
                }
            }
        }
    }
}
