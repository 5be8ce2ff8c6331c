namespace Cutover.Core.Routing;

/// <summary>Which side of the migration an update goes to.</summary>
public enum Route
{
    Legacy = 0,
    Unified = 1,
}
