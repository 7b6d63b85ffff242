using System.Text;
using Microsoft.AspNetCore.Http;
using TraceExporter.Metrics;
using TraceExporter.Probes;
using TraceExporter.Web;

namespace TraceExporter.Tests.Web;

/// <summary>/healthz answers without credentials (a kubelet has none), with the status only; the detail needs them.</summary>
public sealed class HealthEndpointTests : IDisposable
{
    private const string User = "prometheus";
    private const string Password = "right";
    private static readonly ProbeState[] NotReady = [new("a", "builtin", ProbeStatus.Up, null), new("b", "bpftrace", ProbeStatus.Failed, "no tracepoint x:y")];
    private static readonly ProbeState[] Ready = [new("a", "builtin", ProbeStatus.Up, null)];
    private readonly BcryptVerifier _verifier = new();

    [Theory]
    [InlineData(null, 200, "ok\n")]
    [InlineData("prometheus:wrong", 200, "ok\n")]
    [InlineData("prometheus:right", 200, "ok: every probe is attached\n")]
    public async Task Healthy_is_200_for_everyone_with_the_detail_only_for_an_authenticated_request(string? credentials, int status, string body)
    {
        Assert.Equal((status, body), await GetAsync("/healthz", credentials, Ready));
    }

    [Theory]
    [InlineData(null, "not ready\n")]
    [InlineData("prometheus:right", "not ready:\nb: failed (no tracepoint x:y)\n")]
    public async Task Not_ready_is_503_and_only_an_authenticated_request_learns_which_probe_and_why(string? credentials, string body)
    {
        Assert.Equal((503, body), await GetAsync("/healthz", credentials, NotReady));
    }

    [Fact]
    public async Task Every_other_path_still_needs_credentials()
    {
        Assert.Equal(401, (await GetAsync("/metrics", null, Ready)).Status);
        Assert.Equal(401, (await GetAsync("/healthz/x", null, Ready)).Status);
    }

    [Fact]
    public async Task Without_basic_auth_the_detail_is_shown()
    {
        var context = NewContext("/healthz", null);

        await HealthEndpoint.WriteAsync(context, NotReady);

        Assert.Equal("not ready:\nb: failed (no tracepoint x:y)\n", Body(context));
    }

    public void Dispose() => _verifier.Dispose();

    private async Task<(int Status, string Body)> GetAsync(string path, string? credentials, ProbeState[] states)
    {
        var auth = new WebConfigBasicAuth(
            context => context.Request.Path == "/healthz" ? HealthEndpoint.WriteAsync(context, states) : Task.CompletedTask,
            new WebConfig { BasicAuthUsers = new Dictionary<string, string> { [User] = BCrypt.Net.BCrypt.HashPassword(Password, 4) } },
            _verifier,
            Prometheus.Metrics.NewCustomRegistry());
        var context = NewContext(path, credentials);
        await auth.InvokeAsync(context);
        return (context.Response.StatusCode, Body(context));
    }

    private static DefaultHttpContext NewContext(string path, string? credentials)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        if (credentials is not null)
        {
            context.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string Body(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
}
