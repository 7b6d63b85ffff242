namespace TraceExporter.Web;

/// <summary>
/// <c>--web.config.file</c>, in the Prometheus exporter-toolkit format: TLS for the listener and users who
/// may read any page. No file, or an empty one, means plain HTTP open to all.
/// </summary>
public sealed record WebConfig
{
    public static readonly WebConfig None = new();

    public WebConfigTls? Tls { get; init; }

    /// <summary>User name → bcrypt hash. Empty: no authentication.</summary>
    public IReadOnlyDictionary<string, string> BasicAuthUsers { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
