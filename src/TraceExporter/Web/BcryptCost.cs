using System.Globalization;

namespace TraceExporter.Web;

/// <summary>
/// The cost (log2 of the rounds) of a bcrypt hash, <c>$2y$NN$…</c>, and the range a web configuration may use.
/// BCrypt.Net accepts 4 to 31; above <see cref="Maximum"/> one check takes over a second here (cost 10: ~70 ms,
/// each step doubles it), so a first scrape could wait seconds behind a few others, and Prometheus' default
/// scrape timeout is 10 s. htpasswd's default is 5, its maximum 17; the toolkit's docs use 10.
/// </summary>
public static class BcryptCost
{
    public const int Minimum = 4;

    public const int Maximum = 14;

    public const int Default = 10;

    /// <summary>The cost written in a hash already matched as <c>$2?$NN$…</c>.</summary>
    public static int Of(string hash)
    {
        var start = hash.IndexOf('$', 1) + 1;
        return int.Parse(hash.AsSpan(start, 2), NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
