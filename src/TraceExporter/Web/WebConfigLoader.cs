using System.Security.Cryptography;
using System.Text.RegularExpressions;
using TraceExporter.Configuration;
using YamlDotNet.RepresentationModel;

namespace TraceExporter.Web;

/// <summary>
/// Reads an exporter-toolkit web configuration. Every mistake is reported at once as <c>file:line:column</c>;
/// toolkit keys this exporter does not implement are errors too, never silently ignored (a TLS option that
/// does nothing would be worse than none). Relative file names are relative to the web configuration file.
/// </summary>
public static partial class WebConfigLoader
{
    private static readonly string[] UnsupportedTlsKeys =
    [
        "cert", "key", "client_auth_type", "client_ca_file", "client_allowed_sans", "cipher_suites",
        "curve_preferences", "min_version", "max_version", "prefer_server_cipher_suites",
    ];

    public static WebConfig Load(string path)
    {
        string text;
        try
        {
            text = RegularFile.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(path, 0, 0, $"cannot read the web configuration file: {e.Message}")]);
        }

        return Parse(text, path);
    }

    public static WebConfig Parse(string text, string path)
    {
        var stream = YamlLoader.Load(text, path);

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return WebConfig.None;
        }

        var errors = new List<ConfigError>();
        var reader = new NodeReader(path, errors);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var config = WebConfig.None;
        if (reader.Mapping(stream.Documents[0].RootNode, "the web configuration") is { } root)
        {
            foreach (var (keyNode, value) in root.Children)
            {
                var key = ((YamlScalarNode)keyNode).Value;
                switch (key)
                {
                    case "tls_server_config":
                        config = config with { Tls = ReadTls(reader, value, directory) };
                        break;
                    case "basic_auth_users":
                        config = config with { BasicAuthUsers = ReadUsers(reader, value) };
                        break;
                    case "http_server_config":
                        reader.Error(keyNode, "http_server_config is not supported by trace-exporter");
                        break;
                    default:
                        reader.Unknown(keyNode, key, "tls_server_config, basic_auth_users");
                        break;
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new ConfigException(errors);
        }

        return config;
    }

    private static WebConfigTls? ReadTls(NodeReader reader, YamlNode node, string directory)
    {
        if (reader.Mapping(node, "tls_server_config") is not { } map)
        {
            return null;
        }

        string? cert = null, key = null;
        foreach (var (keyNode, value) in map.Children)
        {
            var name = ((YamlScalarNode)keyNode).Value;
            switch (name)
            {
                case "cert_file":
                    cert = ReadFile(reader, value, "tls_server_config.cert_file", directory);
                    break;
                case "key_file":
                    key = ReadFile(reader, value, "tls_server_config.key_file", directory);
                    break;
                case var other when UnsupportedTlsKeys.Contains(other, StringComparer.Ordinal):
                    reader.Error(keyNode, $"tls_server_config.{other} is not supported by trace-exporter (only cert_file and key_file)");
                    break;
                default:
                    reader.Unknown(keyNode, name, "cert_file, key_file");
                    break;
            }
        }

        var names = map.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToHashSet(StringComparer.Ordinal);
        if (!names.Contains("cert_file") || !names.Contains("key_file"))
        {
            reader.Error(node, "tls_server_config needs both cert_file and key_file");
            return null;
        }

        if (cert is null || key is null)
        {
            return null; // already reported
        }

        var tls = new WebConfigTls(cert, key);
        try
        {
            using var certificate = tls.LoadCertificate();
        }
        catch (CryptographicException e)
        {
            reader.Error(node, $"cannot load the certificate {cert} with the key {key}: {e.Message}");
            return null;
        }

        return tls;
    }

    private static string? ReadFile(NodeReader reader, YamlNode node, string what, string directory)
    {
        if (reader.NonEmptyString(node, what) is not { } name)
        {
            return null;
        }

        var full = Path.GetFullPath(Path.Combine(directory, name));
        if (!File.Exists(full))
        {
            reader.Error(node, $"{what}: no file {full}");
            return null;
        }

        try
        {
            _ = RegularFile.ReadAllText(full); // a FIFO or a device would hang or flood the certificate loader
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reader.Error(node, $"{what}: {e.Message}");
            return null;
        }

        return full;
    }

    private static Dictionary<string, string> ReadUsers(NodeReader reader, YamlNode node)
    {
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is YamlScalarNode { Value: null or "" })
        {
            return users;
        }

        if (reader.Mapping(node, "basic_auth_users") is not { } map)
        {
            return users;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var user = ((YamlScalarNode)keyNode).Value ?? "";
            if (user.Length == 0 || user.Contains(':', StringComparison.Ordinal))
            {
                reader.Error(keyNode, $"basic_auth_users: '{user}' is not a user name (non-empty, no ':')");
                continue;
            }

            if (value is YamlScalarNode { Value: { } hash } && BcryptHash().IsMatch(hash))
            {
                var cost = BcryptCost.Of(hash);
                if (cost < BcryptCost.Minimum || cost > BcryptCost.Maximum)
                {
                    reader.Error(value, $"basic_auth_users.{user}: bcrypt cost {cost} is outside {BcryptCost.Minimum} to {BcryptCost.Maximum} ({(cost < BcryptCost.Minimum ? "bcrypt refuses it" : "each check would take seconds, and scrapes would wait behind them")}; e.g. htpasswd -nBC {BcryptCost.Default})");
                    continue;
                }

                users[user] = hash;
            }
            else
            {
                reader.Error(value, $"basic_auth_users.{user} must be a bcrypt hash ($2y$10$…, e.g. from 'htpasswd -nBC 10 \"\" | tr -d :')");
            }
        }

        return users;
    }

    [GeneratedRegex(@"^\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}\z")]
    private static partial Regex BcryptHash();
}
