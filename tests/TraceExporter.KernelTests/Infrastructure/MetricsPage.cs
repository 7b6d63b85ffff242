using System.Globalization;
using System.Text;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>A scraped /metrics page: its raw text and its parsed samples (Prometheus text format 0.0.4).</summary>
internal sealed class MetricsPage
{
    private MetricsPage(string text, IReadOnlyList<MetricSample> samples)
    {
        Text = text;
        Samples = samples;
    }

    public string Text { get; }

    public IReadOnlyList<MetricSample> Samples { get; }

    public static MetricsPage Parse(string text)
    {
        var samples = new List<MetricSample>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            try
            {
                samples.Add(ParseSample(line));
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {lineNumber} of /metrics is not a sample: {e.Message}\n{line}", e);
            }
        }

        return new MetricsPage(text, samples);
    }

    /// <summary>The value of the sample with exactly these labels, or null when the page has no such series.</summary>
    public double? Value(string name, params (string Name, string Value)[] labels)
    {
        var wanted = labels.ToDictionary(l => l.Name, l => l.Value, StringComparer.Ordinal);
        return Samples.FirstOrDefault(s => s.Name == name && s.HasExactly(wanted))?.Value;
    }

    /// <summary>Like <see cref="Value"/>, with a missing series read as 0, as for a counter never incremented.</summary>
    public double Counter(string name, params (string Name, string Value)[] labels) => Value(name, labels) ?? 0;

    public IReadOnlyList<MetricSample> Named(string name) => Samples.Where(s => s.Name == name).ToList();

    /// <summary>The lines of one metric family, to quote in assertion messages.</summary>
    public string Excerpt(string name) =>
        string.Join('\n', Text.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal)
            || l.StartsWith("# HELP " + name, StringComparison.Ordinal)
            || l.StartsWith("# TYPE " + name, StringComparison.Ordinal)));

    private static MetricSample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' ' or '\t'))
        {
            i++;
        }

        var name = line[..i];
        if (name.Length == 0)
        {
            throw new FormatException("no metric name");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i = ParseLabels(line, i + 1, labels);
        }

        var fields = line[i..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is < 1 or > 2)
        {
            throw new FormatException("expected a value and an optional timestamp after the labels");
        }

        return new MetricSample(name, labels, ParseValue(fields[0]));
    }

    /// <summary>Parses <c>name="value",...}</c> starting after the brace; returns the index after the closing brace.</summary>
    private static int ParseLabels(string line, int i, Dictionary<string, string> labels)
    {
        while (true)
        {
            i = SkipSpaces(line, i);
            if (i < line.Length && line[i] == '}')
            {
                return i + 1;
            }

            var nameStart = i;
            while (i < line.Length && line[i] is not ('=' or ' '))
            {
                i++;
            }

            var labelName = line[nameStart..i];
            i = SkipSpaces(line, i);
            if (i >= line.Length || line[i] != '=')
            {
                throw new FormatException($"label {labelName} has no =");
            }

            i = SkipSpaces(line, i + 1);
            if (i >= line.Length || line[i] != '"')
            {
                throw new FormatException($"label {labelName} has no quoted value");
            }

            i++;
            var value = new StringBuilder();
            while (true)
            {
                if (i >= line.Length)
                {
                    throw new FormatException($"label {labelName} has an unterminated value");
                }

                var c = line[i++];
                if (c == '"')
                {
                    break;
                }

                if (c != '\\')
                {
                    value.Append(c);
                    continue;
                }

                if (i >= line.Length)
                {
                    throw new FormatException($"label {labelName} ends inside an escape");
                }

                var escaped = line[i++];
                value.Append(escaped switch
                {
                    '\\' => '\\',
                    '"' => '"',
                    'n' => '\n',
                    _ => throw new FormatException($"label {labelName} has an invalid escape \\{escaped}"),
                });
            }

            if (!labels.TryAdd(labelName, value.ToString()))
            {
                throw new FormatException($"label {labelName} appears twice");
            }

            i = SkipSpaces(line, i);
            if (i < line.Length && line[i] == ',')
            {
                i++;
            }
            else if (i >= line.Length || line[i] != '}')
            {
                throw new FormatException($"expected , or }} after label {labelName}");
            }
        }
    }

    private static int SkipSpaces(string line, int i)
    {
        while (i < line.Length && line[i] is ' ' or '\t')
        {
            i++;
        }

        return i;
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"'{text}' is not a sample value"),
    };
}
