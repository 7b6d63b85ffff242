using TraceExporter.Configuration;
using TraceExporter.Metrics;

namespace TraceExporter.Tests.Metrics;

public sealed class MetricFamilySetTests
{
    private static readonly MetricShape Shape = new("t_total", "Help.", MetricType.Counter, ["k"], 1, 10, null);

    [Fact]
    public void A_reload_that_changes_only_help_limit_or_ttl_keeps_the_family_and_its_values()
    {
        var families = new MetricFamilySet();
        var family = families.GetOrCreate(Shape);
        family.AddValue(family.Resolve(["a"]), 5, MapUpdate.Delta);

        var kept = families.GetOrCreate(Shape with { Help = "Other help.", SeriesLimit = 20, SeriesTtl = TimeSpan.FromHours(1) });

        Assert.Same(family, kept);
        Assert.Equal(20, kept.Shape.SeriesLimit);
        Assert.Contains("# HELP t_total Other help.\n", families.Render(), StringComparison.Ordinal);
        Assert.Contains("t_total{k=\"a\"} 5\n", families.Render(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("type")]
    [InlineData("labels")]
    [InlineData("scale")]
    public void A_reload_that_changes_what_the_values_mean_starts_the_family_anew(string change)
    {
        var families = new MetricFamilySet();
        var family = families.GetOrCreate(Shape);
        family.AddValue(family.Resolve(["a"]), 5, MapUpdate.Delta);

        var next = families.GetOrCreate(change switch
        {
            "type" => Shape with { Type = MetricType.Gauge, Name = "t_total" },
            "labels" => Shape with { LabelNames = ["k", "j"] },
            _ => Shape with { Scale = 0.001 },
        });

        Assert.NotSame(family, next);
        Assert.DoesNotContain(" 5\n", families.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Families_no_probe_exports_any_more_are_removed_with_their_series()
    {
        var families = new MetricFamilySet();
        families.GetOrCreate(Shape).AddValue(null, 1, MapUpdate.Delta);
        families.GetOrCreate(Shape with { Name = "u_total" });

        families.RetainOnly(["u_total"]);

        Assert.Null(families.Find("t_total"));
        Assert.DoesNotContain("t_total", families.Render(), StringComparison.Ordinal);
    }
}
