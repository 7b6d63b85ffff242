using TraceExporter.Configuration;
using TraceExporter.Web;

namespace TraceExporter.Tests.Web;

public sealed class WebConfigCostTests
{
    private static readonly string Cost4 = BCrypt.Net.BCrypt.HashPassword("x", 4);

    private static string WithCost(int cost) => Cost4.Replace("$04$", $"${cost:D2}$", StringComparison.Ordinal);

    [Theory]
    [InlineData(3)]
    [InlineData(15)]
    [InlineData(31)]
    [InlineData(99)]
    public void A_bcrypt_cost_outside_4_to_14_is_refused_at_load_where_it_is_written(int cost)
    {
        var e = Assert.Throws<ConfigException>(() => WebConfigLoader.Parse($"basic_auth_users:\n  prometheus: {WithCost(cost)}\n", "web.yml"));

        Assert.StartsWith($"web.yml:2:15: basic_auth_users.prometheus: bcrypt cost {cost} is outside 4 to 14", Assert.Single(e.Errors).ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(14)]
    public void A_bcrypt_cost_from_4_to_14_is_accepted(int cost)
    {
        var config = WebConfigLoader.Parse($"basic_auth_users:\n  prometheus: {WithCost(cost)}\n", "web.yml");

        Assert.Equal(cost, BcryptCost.Of(config.BasicAuthUsers["prometheus"]));
    }
}
