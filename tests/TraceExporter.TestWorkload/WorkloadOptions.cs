using System.Globalization;

namespace TraceExporter.TestWorkload;

/// <summary>The parsed command line: one subcommand and its options, all of the form <c>--name value</c>.</summary>
internal sealed record WorkloadOptions(
    string Command,
    int Port,
    long Count,
    long Bytes,
    long? SendBytes,
    byte[]? ThreadName)
{
    public const string Usage =
        "usage: te-workload [--name-hex HEX] serve --port P [--send-bytes N]\n" +
        "       te-workload [--name-hex HEX] connect --port P --count N\n" +
        "       te-workload [--name-hex HEX] read --port P --bytes N\n" +
        "       te-workload [--name-hex HEX] send --port P --bytes N\n" +
        "--name-hex may also follow the subcommand; HEX is up to 15 raw bytes of the thread name.";

    private static readonly string[] Commands = ["serve", "connect", "read", "send"];

    public static WorkloadOptions Parse(IReadOnlyList<string> args)
    {
        string? command = null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"option {arg} needs a value");
                }

                values[arg[2..]] = args[++i];
            }
            else if (command is null && Commands.Contains(arg, StringComparer.Ordinal))
            {
                command = arg;
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }
        }

        if (command is null)
        {
            throw new ArgumentException("missing subcommand");
        }

        var allowed = command switch
        {
            "serve" => new[] { "name-hex", "port", "send-bytes" },
            "connect" => ["name-hex", "port", "count"],
            _ => ["name-hex", "port", "bytes"],
        };
        foreach (var key in values.Keys.Where(k => !allowed.Contains(k, StringComparer.Ordinal)))
        {
            throw new ArgumentException($"unknown option --{key} for {command}");
        }

        return new WorkloadOptions(
            command,
            (int)Required(values, "port", 1, 65535),
            command == "connect" ? Required(values, "count", 0, int.MaxValue) : 0,
            command is "read" or "send" ? Required(values, "bytes", 0, long.MaxValue) : 0,
            values.ContainsKey("send-bytes") ? Required(values, "send-bytes", 0, long.MaxValue) : null,
            values.TryGetValue("name-hex", out var hex) ? ParseName(hex) : null);
    }

    private static long Required(Dictionary<string, string> values, string key, long min, long max)
    {
        if (!values.TryGetValue(key, out var text))
        {
            throw new ArgumentException($"missing --{key}");
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"--{key} must be an integer in [{min}, {max}], got '{text}'");
        }

        return value;
    }

    private static byte[] ParseName(string hex)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"--name-hex is not hex: '{hex}'");
        }

        if (bytes.Length is 0 or > 15 || bytes.Contains((byte)0))
        {
            throw new ArgumentException("--name-hex must be 1 to 15 non-zero bytes");
        }

        return bytes;
    }
}
