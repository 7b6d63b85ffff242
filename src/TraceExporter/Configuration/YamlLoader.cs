using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace TraceExporter.Configuration;

/// <summary>
/// Loads a YAML document for the configuration readers after checking its shape from the parser's event stream,
/// which needs no recursion: <see cref="YamlStream"/> builds nodes recursively (300,000 <c>[</c> ended the process
/// with "Stack overflow."), and aliases let a small file stand for billions of nodes that the readers would
/// walk. Deeper than <see cref="MaxDepth"/> or larger than <see cref="MaxNodes"/> (aliases expanded) is refused
/// with its <c>file:line:column</c>.
/// </summary>
public static class YamlLoader
{
    /// <summary>Real configurations nest 6 or 7 levels.</summary>
    public const int MaxDepth = 64;

    /// <summary>Nodes in the document with every alias expanded; a large real configuration has a few thousand.</summary>
    public const long MaxNodes = 100_000;

    public static YamlStream Load(string text, string path)
    {
        CheckShape(text, path);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ConfigException([new ConfigError(path, (int)e.Start.Line, (int)e.Start.Column, $"invalid YAML: {InnermostMessage(e)}")]);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            throw LibraryFailed(path, null, e); // the shape check read the same text without this: not expected
        }

        return stream;
    }

    private static void CheckShape(string text, string path)
    {
        var parser = new Parser(new StringReader(text));
        var open = new Stack<(string? Anchor, long Nodes)>();
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        void Add(long nodes, ParsingEvent at)
        {
            if (open.Count == 0)
            {
                total = Math.Min(total + nodes, long.MaxValue / 2);
            }
            else
            {
                var (anchor, count) = open.Pop();
                open.Push((anchor, Math.Min(count + nodes, long.MaxValue / 2)));
            }

            if (total > MaxNodes || (open.Count > 0 && open.Peek().Nodes > MaxNodes))
            {
                Fail(path, at, $"the document has more than {MaxNodes:N0} nodes (with aliases expanded)");
            }
        }

        ParsingEvent? last = null;
        try
        {
            while (parser.MoveNext())
            {
                var ev = last = parser.Current!;
                switch (ev)
                {
                    case DocumentStart:
                        total = 0;
                        break;
                    case SequenceStart or MappingStart:
                        if (open.Count >= MaxDepth)
                        {
                            Fail(path, ev, $"nested more than {MaxDepth} levels deep");
                        }

                        open.Push((((NodeEvent)ev).Anchor.IsEmpty ? null : ((NodeEvent)ev).Anchor.Value, 1));
                        break;
                    case SequenceEnd or MappingEnd:
                        var (anchor, nodes) = open.Pop();
                        if (anchor is not null)
                        {
                            anchors[anchor] = nodes;
                        }

                        Add(nodes, ev);
                        break;
                    case Scalar scalar:
                        if (!scalar.Anchor.IsEmpty)
                        {
                            anchors[scalar.Anchor.Value] = 1;
                        }

                        Add(1, ev);
                        break;
                    case AnchorAlias alias:
                        Add(anchors.GetValueOrDefault(alias.Value.Value, 1), ev);
                        break;
                }
            }
        }
        catch (YamlException e)
        {
            throw new ConfigException([new ConfigError(path, (int)e.Start.Line, (int)e.Start.Column, $"invalid YAML: {InnermostMessage(e)}")]);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // YamlDotNet 16.3's scanner throws InvalidOperationException on some malformed input (a ':' that
            // ends the file): still a mistake in the file, placed after the last thing read well.
            throw LibraryFailed(path, last, e);
        }
    }

    private static ConfigException LibraryFailed(string path, ParsingEvent? last, Exception e) =>
        new([new ConfigError(path, (int)(last?.End.Line ?? 1), (int)(last?.End.Column ?? 1), $"invalid YAML after this point ({e.Message})")]);

    private static void Fail(string path, ParsingEvent at, string message) =>
        throw new ConfigException([new ConfigError(path, (int)at.Start.Line, (int)at.Start.Column, message)]);

    private static string InnermostMessage(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }
}
