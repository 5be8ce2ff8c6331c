using Cutover.Testing;

namespace Cutover.Server.Tests.Telemetry;

/// <summary>The test parser refuses what Prometheus would, so that a scrape it reads is a scrape Prometheus reads.</summary>
public sealed class PrometheusTextTests
{
    [Fact]
    public void Parse_WellFormed_SamplesLabelsAndTypes()
    {
        var scrape = PrometheusText.Parse("""
            # TYPE a_total counter
            # HELP a_total Things.
            a_total{x="1",y="q\"uo\\te\n"} 3 1700000000000
            # TYPE h histogram
            h_bucket{le="0.5"} 1
            h_bucket{le="+Inf"} 2
            h_sum 0.75
            h_count 2
            g NaN
            """);

        Assert.Equal("q\"uo\\te\n", Assert.Single(scrape.Where("a_total", ("x", "1"))).Label("y"));
        Assert.Equal(3, scrape.Value("a_total"));
        Assert.Equal(2, scrape.Value("h_bucket", ("le", "+Inf")));
        Assert.True(double.IsNaN(scrape.Value("g")));
        Assert.Equal("histogram", scrape.Types["h"]);
    }

    [Theory]
    [InlineData("a 1\na 2", "appears twice")]
    [InlineData("a{x=\"1\",x=\"2\"} 1", "the label x twice")]
    [InlineData("a{x=\"\\t\"} 1", "a bad escape")]
    [InlineData("a{x=\"1} 1", "unterminated")]
    [InlineData("a{x=1} 1", "a bad label")]
    [InlineData("a{x=\"1\"}1", "expected a space")]
    [InlineData("a one", "not a value")]
    [InlineData("9a 1", "not a metric name")]
    [InlineData("# TYPE a gauge\n# TYPE a gauge\na 1", "a second TYPE")]
    [InlineData("a 1\n# TYPE a gauge", "after its samples")]
    [InlineData("# TYPE a meter\na 1", "not a known type")]
    [InlineData("# TYPE h histogram\nh_bucket 1", "without 'le'")]
    public void Parse_Malformed_RefusedWithTheLine(string text, string problem)
    {
        var ex = Assert.Throws<FormatException>(() => PrometheusText.Parse(text));

        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("line ", ex.Message, StringComparison.Ordinal);
    }
}
