using System.Globalization;

namespace TraceExporter.Kernel;

/// <summary>An inclusive range of ports, e.g. the host's ephemeral ports (<c>net.ipv4.ip_local_port_range</c>).</summary>
public readonly record struct PortRange(int Low, int High)
{
    public const string EphemeralRangePath = "/proc/sys/net/ipv4/ip_local_port_range";

    public bool Contains(long port) => port >= Low && port <= High;

    /// <summary>The two numbers of <c>ip_local_port_range</c> ("32768\t60999"); null for anything else.</summary>
    public static PortRange? Parse(string text)
    {
        var parts = text.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var high)
            && low <= high && high <= 65535
            ? new PortRange(low, high)
            : null;
    }

    /// <summary>The host's ephemeral port range, or null when it cannot be read.</summary>
    public static PortRange? ReadEphemeral(string path = EphemeralRangePath)
    {
        try
        {
            return File.Exists(path) ? Parse(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
