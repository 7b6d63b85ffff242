using System.Text;

namespace TraceExporter.Probes;

/// <summary>
/// One probe block of a built-in program: attach point, optional predicate, body. Blocks of several probes on
/// the same attach point are joined into one (each behind an <c>if</c>), so the kernel runs one program per
/// event instead of one per probe.
/// </summary>
public sealed record ProbeBlock(string AttachPoint, string? Predicate, string Body)
{
    /// <summary>Renders blocks, joining those that share an attach point, in the order they first appear.</summary>
    public static string Render(IEnumerable<ProbeBlock> blocks)
    {
        var text = new StringBuilder();
        foreach (var group in blocks.GroupBy(b => b.AttachPoint, StringComparer.Ordinal))
        {
            var list = group.ToList();
            if (list.Count == 1)
            {
                var block = list[0];
                text.Append(block.AttachPoint).Append(block.Predicate is null ? "" : Filter(block.Predicate)).Append(" {\n")
                    .Append(Indent(block.Body, "  ")).Append("}\n\n");
                continue;
            }

            text.Append(group.Key).Append(" {\n");
            foreach (var block in list)
            {
                if (block.Predicate is null)
                {
                    text.Append(Indent(block.Body, "  "));
                }
                else
                {
                    text.Append("  if (").Append(block.Predicate).Append(") {\n").Append(Indent(block.Body, "    ")).Append("  }\n");
                }
            }

            text.Append("}\n\n");
        }

        return text.ToString();
    }

    /// <summary>The predicate as a filter; one that starts with a dereference is spaced off, so that <c>/*</c> does not open a comment.</summary>
    private static string Filter(string predicate) => predicate.StartsWith('*') ? $" / {predicate} /" : $" /{predicate}/";

    private static string Indent(string body, string indent) =>
        string.Concat(body.Trim('\n').Split('\n').Select(line => indent + line.TrimStart() + "\n"));
}
