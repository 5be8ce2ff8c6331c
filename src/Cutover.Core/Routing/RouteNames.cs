namespace Cutover.Core.Routing;

/// <summary>The names of <see cref="Route"/> as they appear in JSON, logs, SQL and on the command line.</summary>
public static class RouteNames
{
    public const string Unified = "unified";
    public const string Legacy = "legacy";

    public static string ToName(this Route route) => route == Route.Unified ? Unified : Legacy;

    public static bool TryParse(string? text, out Route route)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case Unified:
                route = Route.Unified;
                return true;
            case Legacy:
                route = Route.Legacy;
                return true;
            default:
                route = Route.Legacy;
                return false;
        }
    }
}
