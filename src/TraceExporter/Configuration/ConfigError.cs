using System.Globalization;
using System.Text;

namespace TraceExporter.Configuration;

/// <summary>One mistake in a configuration file, located as compilers do: <c>file:line:column: message</c>.</summary>
public sealed record ConfigError(string File, int Line, int Column, string Message)
{
    /// <summary>Messages quote what the user wrote, which may be a whole program: past this they are cut.</summary>
    public const int MaxMessageLength = 400;

    /// <summary>One line, always: a newline or control character quoted from the file is written escaped (<c>\n</c>, <c>\x1b</c>).</summary>
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}: {OneLine(Message)}" : $"{File}: {OneLine(Message)}";

    private static string OneLine(string message)
    {
        var text = new StringBuilder(Math.Min(message.Length, MaxMessageLength + 16));
        foreach (var c in message)
        {
            if (text.Length >= MaxMessageLength)
            {
                return text.Append('…').ToString();
            }

            _ = c switch
            {
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                _ when char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085' => text.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)),
                _ => text.Append(c),
            };
        }

        return text.ToString();
    }
}
