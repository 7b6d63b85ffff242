using System.Globalization;
using System.Text.RegularExpressions;

namespace TraceExporter.Kernel;

/// <summary>
/// Fills <c>{{offsetof STRUCT.MEMBER}}</c> in a user's program with the member's byte offset on this kernel,
/// from BTF, so a program can read raw kernel memory (e.g. a comm as two integers) without headers and
/// without offsets that change between kernels.
/// </summary>
public static partial class ProgramTemplate
{
    public static string Resolve(string program, HostFacts host) =>
        Placeholder().Replace(program, match =>
            host.Offset(match.Groups["struct"].Value, match.Groups["member"].Value).ToString(CultureInfo.InvariantCulture));

    [GeneratedRegex(@"\{\{\s*offsetof\s+(?<struct>[A-Za-z_][A-Za-z0-9_]*)\.(?<member>[A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")]
    private static partial Regex Placeholder();
}
