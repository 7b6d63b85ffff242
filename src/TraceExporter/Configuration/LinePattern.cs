using System.Text.RegularExpressions;

namespace TraceExporter.Configuration;

/// <summary>
/// A line-mode rule's regular expression, and the one place a printf line is matched against it. Compiled with
/// <see cref="RegexOptions.NonBacktracking"/> (time linear in the line, whatever the pattern) when the pattern
/// allows it; patterns that need backtracking (backreferences, lookarounds, atomic groups) keep the backtracking
/// engine with a timeout, and a line that cannot be matched in <see cref="MatchTimeout"/> does not match.
/// </summary>
public sealed class LinePattern
{
    /// <summary>How long the backtracking engine may spend on one line (the non-backtracking one needs no limit).</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private const RegexOptions Common = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    private readonly Regex _regex;

    private LinePattern(string text, Regex regex)
    {
        Text = text;
        _regex = regex;
        GroupNames = [.. regex.GetGroupNames().Where(g => !int.TryParse(g, out _))];
    }

    public string Text { get; }

    /// <summary>The named groups, in order: the labels.</summary>
    public IReadOnlyList<string> GroupNames { get; }

    /// <summary>False when the pattern needs the backtracking engine (and its timeout).</summary>
    public bool IsLinear => (_regex.Options & RegexOptions.NonBacktracking) != 0;

    /// <summary>Compiles a pattern; an <see cref="ArgumentException"/> says what is wrong with it.</summary>
    public static LinePattern Parse(string text)
    {
        try
        {
            return new LinePattern(text, new Regex(text, Common | RegexOptions.NonBacktracking, MatchTimeout));
        }
        catch (NotSupportedException)
        {
            // A construct only backtracking can run; a pattern that is simply invalid throws ArgumentException here too.
            return new LinePattern(text, new Regex(text, Common, MatchTimeout));
        }
    }

    /// <summary>The named groups' values, in <see cref="GroupNames"/> order; null when the line does not match, or not in time.</summary>
    public string[]? Match(string line)
    {
        Match match;
        try
        {
            match = _regex.Match(line);
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }

        if (!match.Success)
        {
            return null;
        }

        var values = new string[GroupNames.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = match.Groups[GroupNames[i]].Value;
        }

        return values;
    }

    public override string ToString() => Text;
}
