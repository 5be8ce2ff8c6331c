using System.Globalization;
using System.Text.Json;

namespace Cutover.Dashboard.Tests.Support;

/// <summary>The page's formats (dashboard.js: <c>int</c>, <c>ms</c>, <c>pct</c>, <c>fig</c>), for comparing its text with the API's figures.</summary>
public static class PageFormat
{
    public static string Int(JsonElement e) => e.ValueKind == JsonValueKind.Null ? "–" : Math.Round(e.GetDouble()).ToString(CultureInfo.InvariantCulture);

    public static string Ms(JsonElement e) => e.ValueKind == JsonValueKind.Null ? "–" : $"{e.GetDouble().ToString("F1", CultureInfo.InvariantCulture)} ms";

    public static string Pct(JsonElement e) => e.ValueKind == JsonValueKind.Null ? "–" : $"{Fig(e.GetDouble())}%";

    public static string Fig(JsonElement e) => e.ValueKind == JsonValueKind.Null ? "–" : Fig(e.GetDouble());

    private static string Fig(double value) => Math.Round(value, 3, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture);
}
