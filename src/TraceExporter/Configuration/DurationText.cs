using System.Globalization;
using System.Text.RegularExpressions;

namespace TraceExporter.Configuration;

/// <summary>
/// The one reader of durations, for the configuration (<c>interval: 5s</c>) and the command line
/// (<c>once --duration</c>, <c>guard --grace</c>/<c>--hold</c>): a number and a unit, <c>us</c>, <c>ms</c>,
/// <c>s</c>, <c>m</c> or <c>h</c> (<c>250ms</c>, <c>1.5s</c>, <c>5m</c>), or a bare <c>0</c>. Never overflows:
/// an amount past what a <see cref="TimeSpan"/> holds reads as <see cref="TimeSpan.MaxValue"/>, which every
/// caller's range check then refuses with the range in the message.
/// </summary>
public static partial class DurationText
{
    public const string Examples = "500ms, 5s or 1m";

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text is null || DurationPattern().Match(text) is not { Success: true } match)
        {
            return false;
        }

        if (match.Groups["zero"].Success)
        {
            return true;
        }

        var ticksPerUnit = match.Groups["unit"].Value switch
        {
            "us" => TimeSpan.TicksPerMicrosecond,
            "ms" => TimeSpan.TicksPerMillisecond,
            "s" => TimeSpan.TicksPerSecond,
            "m" => TimeSpan.TicksPerMinute,
            _ => TimeSpan.TicksPerHour,
        };

        // decimal holds 28 digits: past that, or past TimeSpan's 10,675,199 days, the amount is "too long" (MaxValue).
        if (!decimal.TryParse(match.Groups["amount"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            || amount > TimeSpan.MaxValue.Ticks / ticksPerUnit)
        {
            value = TimeSpan.MaxValue;
            return true;
        }

        value = TimeSpan.FromTicks((long)decimal.Round(amount * ticksPerUnit));
        return true;
    }

    /// <summary>As short as it reads: 100ms, 5s, 1m, 24h.</summary>
    public static string Format(TimeSpan t) =>
        t.TotalMilliseconds < 1 ? $"{t.TotalMicroseconds.ToString(CultureInfo.InvariantCulture)}us"
        : t.TotalMilliseconds < 1000 ? $"{t.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms"
        : t.TotalSeconds < 60 ? $"{t.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s"
        : t.TotalMinutes < 60 ? $"{t.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m"
        : $"{t.TotalHours.ToString(CultureInfo.InvariantCulture)}h";

    [GeneratedRegex(@"^\s*(?:(?<zero>0)|(?<amount>\d{1,40}(?:\.\d{1,40})?)(?<unit>us|ms|s|m|h))\s*\z", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex DurationPattern();
}
