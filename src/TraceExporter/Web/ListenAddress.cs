using System.Globalization;
using System.Net;

namespace TraceExporter.Web;

/// <summary>A <c>--web.listen-address</c> in the Prometheus exporters' form: <c>HOST:PORT</c>, <c>:PORT</c> or <c>[V6]:PORT</c>.</summary>
public sealed record ListenAddress(string Host, int Port)
{
    public const int DefaultPort = 9439;

    public static bool TryParse(string text, out ListenAddress? address, out string? error)
    {
        address = null;
        error = null;
        var colon = text.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"'{text}' is not HOST:PORT with a port from 1 to 65535";
            return false;
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host.Length > 0 && host != "localhost" && !IPAddress.TryParse(host, out _))
        {
            error = $"'{host}' is not an IP address or 'localhost'";
            return false;
        }

        address = new ListenAddress(host, port);
        return true;
    }

    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
