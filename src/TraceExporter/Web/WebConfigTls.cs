using System.Security.Cryptography.X509Certificates;

namespace TraceExporter.Web;

/// <summary><c>tls_server_config</c>: the server's certificate and key, PEM files (paths already resolved).</summary>
public sealed record WebConfigTls(string CertFile, string KeyFile)
{
    public X509Certificate2 LoadCertificate() => X509Certificate2.CreateFromPemFile(CertFile, KeyFile);
}
