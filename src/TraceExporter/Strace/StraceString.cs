using System.Globalization;
using TraceExporter.Metrics;

namespace TraceExporter.Strace;

/// <summary>
/// Decodes a string argument as strace prints it: <c>"\x2f\x74"</c> with <c>-xx</c>, or C escapes
/// (<c>\n \t \" \\ \303</c>) by default; a trailing <c>...</c> (cut by <c>-s</c>) is dropped. The bytes are shown
/// as text the way labels are: UTF-8 where valid, <c>\xNN</c> for each byte that is not.
/// </summary>
public static class StraceString
{
    /// <summary>Decodes the quoted argument <paramref name="argument"/>; null when it is not a string (<c>NULL</c>, an address).</summary>
    public static string? Decode(ReadOnlySpan<char> argument)
    {
        argument = argument.Trim();
        if (argument.Length < 2 || argument[0] != '"')
        {
            return null;
        }

        var bytes = new List<byte>(argument.Length);
        for (var i = 1; i < argument.Length; i++)
        {
            var c = argument[i];
            if (c == '"')
            {
                return LabelText.FromBytes(bytes.ToArray());
            }

            if (c != '\\' || i + 1 >= argument.Length)
            {
                bytes.Add((byte)c);
                continue;
            }

            var e = argument[++i];
            switch (e)
            {
                case 'x' when i + 2 < argument.Length
                    && byte.TryParse(argument.Slice(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex):
                    bytes.Add(hex);
                    i += 2;
                    break;
                case >= '0' and <= '7':
                    var value = 0;
                    var digits = 0;
                    while (digits < 3 && i < argument.Length && argument[i] is >= '0' and <= '7')
                    {
                        value = (value * 8) + (argument[i] - '0');
                        i++;
                        digits++;
                    }

                    i--;
                    bytes.Add((byte)value);
                    break;
                case 'n':
                    bytes.Add((byte)'\n');
                    break;
                case 't':
                    bytes.Add((byte)'\t');
                    break;
                case 'r':
                    bytes.Add((byte)'\r');
                    break;
                case 'v':
                    bytes.Add((byte)'\v');
                    break;
                case 'f':
                    bytes.Add((byte)'\f');
                    break;
                default:
                    bytes.Add((byte)e); // \" \\ and anything else stand for themselves
                    break;
            }
        }

        return null; // no closing quote: not a string we can trust
    }
}
