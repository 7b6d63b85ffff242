using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using TraceExporter.EndToEndTests.Infrastructure;
using Xunit;

namespace TraceExporter.EndToEndTests;

/// <summary><c>--web.config.file</c>: TLS and basic authentication, against curl-like clients and a real Prometheus.</summary>
public sealed class WebConfigTests
{
    private const string User = "prometheus";
    private const string Password = "correct horse battery staple";

    [SkippableFact]
    public async Task With_TLS_and_basic_auth_a_wrong_password_gets_401_plain_HTTP_fails_and_Prometheus_scrapes()
    {
        EndToEndPrerequisites.Require();
        using var files = new TempDirectory("te-e2e-web");
        var cert = files.File("cert.pem");
        var key = files.File("key.pem");
        await ChildProcess.RunAsync("openssl",
        [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert,
        ]);
        var webConfig = files.File("web.yml");
        await File.WriteAllTextAsync(webConfig,
            $"""
            tls_server_config:
              cert_file: cert.pem
              key_file: key.pem
            basic_auth_users:
              {User}: {BCrypt.Net.BCrypt.HashPassword(Password, 10)}

            """);

        using var trusted = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(cert));
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented is not null && presented.Thumbprint == trusted.Thumbprint,
        };
        using var https = new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(10) };
        https.DefaultRequestHeaders.Authorization = Basic(User, Password);
        await using var daemon = await DaemonUnderTest.StartHealthyAsync(https, webConfig);
        var metrics = new Uri(daemon.BaseAddress, "metrics");

        using (var right = await https.GetAsync(metrics))
        {
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        }

        using var anonymous = new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var wrong in new[] { Basic(User, "wrong password"), Basic("nobody", Password), null })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, metrics);
            request.Headers.Authorization = wrong;
            using var response = await anonymous.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{wrong?.ToString() ?? "no credentials"}: {response.StatusCode}");
        }

        // A kubelet's liveness probe has no credentials: /healthz answers it, with the status only.
        using (var health = await anonymous.GetAsync(new Uri(daemon.BaseAddress, "healthz")))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("ok\n", await health.Content.ReadAsStringAsync());
        }

        using (var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            plain.DefaultRequestHeaders.Authorization = Basic(User, Password);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync(new Uri($"http://{daemon.Target}/metrics")));
        }

        var directory = PrometheusServer.NewDirectory();
        File.Copy(cert, directory.File("ca.pem"));
        await File.WriteAllTextAsync(directory.File("password"), Password);
        await using var prometheus = await PrometheusServer.StartAsync(directory,
            $"""
                scheme: https
                tls_config:
                  ca_file: {directory.File("ca.pem")}
                basic_auth:
                  username: {User}
                  password_file: {directory.File("password")}
                static_configs:
                  - targets: ["{daemon.Target}"]

            """);
        await PrometheusAssert.EventuallyAsync(prometheus, "up{job=\"trace-exporter\"} == 1", r => r.Count == 1, TimeSpan.FromSeconds(60), () => daemon.Output);
        await PrometheusAssert.EventuallyAsync(prometheus, "trace_exporter_probe_up == 1", r => r.Count == DaemonUnderTest.AllProbes.Length, TimeSpan.FromSeconds(60), () => daemon.Output);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
