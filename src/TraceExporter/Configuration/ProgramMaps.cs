namespace TraceExporter.Configuration;

/// <summary>
/// Finds every use of every map in a bpftrace program's text, skipping strings and comments: enough of
/// bpftrace's syntax to tell an aggregation (<c>@m[k] = count()</c>) from a read, and to know where each
/// statement starts and ends, so the daemon can check a metric's map and point its writes at other maps.
/// Pure; never throws on malformed text (an unclosed bracket ends the use at the end of the text).
/// </summary>
public static class ProgramMaps
{
    /// <summary>bpftrace's aggregation functions (a map assigned one of these aggregates per key).</summary>
    public static readonly IReadOnlySet<string> Aggregations =
        new HashSet<string>(["count", "sum", "avg", "min", "max", "stats", "hist", "lhist"], StringComparer.Ordinal);

    public static IReadOnlyList<MapUse> Scan(string program)
    {
        var uses = new List<MapUse>();
        var line = 1;
        var i = 0;
        while (i < program.Length)
        {
            var c = program[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (c == '"')
            {
                i = SkipString(program, i, ref line);
            }
            else if (c == '/' && At(program, i + 1) == '/')
            {
                while (i < program.Length && program[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && At(program, i + 1) == '*')
            {
                i = SkipBlockComment(program, i, ref line);
            }
            else if (c == '@')
            {
                var use = ReadUse(program, i, line);
                uses.Add(use);
                line += Count(program, '\n', i, use.End);
                i = use.End;
            }
            else if (IsIdentifier(c))
            {
                // A name such as foo@bar is not a map (bpftrace has none), but skip whole words anyway.
                while (i < program.Length && IsIdentifier(program[i]))
                {
                    i++;
                }
            }
            else
            {
                i++;
            }
        }

        return uses;
    }

    private static MapUse ReadUse(string program, int start, int line)
    {
        var i = start + 1;
        while (i < program.Length && IsIdentifier(program[i]))
        {
            i++;
        }

        var map = program[start..i];
        var afterName = i;
        var j = SkipSpace(program, i);
        if (At(program, j) == '[')
        {
            j = SkipBalanced(program, j);
            afterName = j;
            j = SkipSpace(program, j);
        }

        var op = At(program, j);
        var next = At(program, j + 1);
        if ((op == '+' && next == '+') || (op == '-' && next == '-'))
        {
            return Use(program, map, MapUseKind.Increment, null, start, j + 2, line);
        }

        if (op == '=' && next != '=')
        {
            var value = SkipSpace(program, j + 1);
            var name = value;
            while (name < program.Length && IsIdentifier(program[name]))
            {
                name++;
            }

            var function = program[value..name];
            var call = SkipSpace(program, name);
            if (function.Length > 0 && At(program, call) == '(' && Aggregations.Contains(function))
            {
                return Use(program, map, MapUseKind.Aggregation, function, start, SkipBalanced(program, call), line);
            }

            return Use(program, map, MapUseKind.Assignment, null, start, ExpressionEnd(program, value), line);
        }

        if (op is '+' or '-' or '*' or '/' or '%' or '&' or '|' or '^' or '<' or '>' && CompoundAssignment(program, j))
        {
            return Use(program, map, MapUseKind.Assignment, null, start, ExpressionEnd(program, j), line);
        }

        return new MapUse(map, MapUseKind.Other, null, start, afterName, afterName, line);
    }

    private static MapUse Use(string program, string map, MapUseKind kind, string? function, int start, int end, int line)
    {
        var statementEnd = SkipSpace(program, end);
        statementEnd = At(program, statementEnd) == ';' ? statementEnd + 1 : end;
        return new MapUse(map, kind, function, start, end, statementEnd, line);
    }

    /// <summary><c>+=</c>, <c>-=</c>, <c>&lt;&lt;=</c>, … at <paramref name="i"/>.</summary>
    private static bool CompoundAssignment(string program, int i)
    {
        var k = i;
        while (k < program.Length && k < i + 3 && program[k] is '+' or '-' or '*' or '/' or '%' or '&' or '|' or '^' or '<' or '>')
        {
            k++;
        }

        return At(program, k) == '=' && At(program, k + 1) != '=';
    }

    /// <summary>The end of an assigned expression: the next ';' or unmatched '}' outside brackets and strings.</summary>
    private static int ExpressionEnd(string program, int i)
    {
        var line = 0;
        while (i < program.Length)
        {
            var c = program[i];
            if (c is ';' or '}')
            {
                return i;
            }

            if (c is '(' or '[' or '{')
            {
                i = SkipBalanced(program, i);
            }
            else if (c == '"')
            {
                i = SkipString(program, i, ref line);
            }
            else
            {
                i++;
            }
        }

        return i;
    }

    /// <summary>From an opening bracket at <paramref name="open"/> to just past its match.</summary>
    private static int SkipBalanced(string program, int open)
    {
        var depth = 0;
        var line = 0;
        var i = open;
        while (i < program.Length)
        {
            var c = program[i];
            if (c == '"')
            {
                i = SkipString(program, i, ref line);
                continue;
            }

            if (c is '(' or '[' or '{')
            {
                depth++;
            }
            else if (c is ')' or ']' or '}')
            {
                depth--;
                if (depth == 0)
                {
                    return i + 1;
                }
            }

            i++;
        }

        return i;
    }

    private static int SkipString(string program, int quote, ref int line)
    {
        var i = quote + 1;
        while (i < program.Length && program[i] != '"')
        {
            if (program[i] == '\n')
            {
                line++;
            }

            i += program[i] == '\\' ? 2 : 1;
        }

        return Math.Min(i + 1, program.Length);
    }

    private static int SkipBlockComment(string program, int start, ref int line)
    {
        var end = program.IndexOf("*/", start + 2, StringComparison.Ordinal);
        end = end < 0 ? program.Length : end + 2;
        line += Count(program, '\n', start, end);
        return end;
    }

    private static int SkipSpace(string program, int i)
    {
        while (i < program.Length && char.IsWhiteSpace(program[i]))
        {
            i++;
        }

        return i;
    }

    private static int Count(string text, char c, int from, int to)
    {
        var n = 0;
        for (var i = from; i < to && i < text.Length; i++)
        {
            n += text[i] == c ? 1 : 0;
        }

        return n;
    }

    private static char At(string text, int i) => i < text.Length ? text[i] : '\0';

    private static bool IsIdentifier(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
