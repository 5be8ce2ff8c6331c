namespace Cutover.Core.Routing;

/// <summary>A change an operator asks for. The set of changes is closed.</summary>
public abstract record RoutingChange
{
    private protected RoutingChange()
    {
    }

    /// <summary>Sets the global percentage, or one domain's own percentage when <see cref="Domain"/> is given.</summary>
    public sealed record SetPercent(decimal Percent, string? Domain) : RoutingChange;

    /// <summary>Removes a domain's own percentage so it follows the global one again.</summary>
    public sealed record InheritPercent(string Domain) : RoutingChange;

    /// <summary>Turns routing on or off; off sends everything to legacy and keeps the percentages.</summary>
    public sealed record SetEnabled(bool Enabled) : RoutingChange;

    /// <summary>Adds a domain to the routable set or takes it out.</summary>
    public sealed record SetRoutable(string Domain, bool Routable) : RoutingChange;

    /// <summary>Pins a user's route and/or domain.</summary>
    public sealed record SetOverride(string UserKey, Route? Route, string? Domain) : RoutingChange;

    /// <summary>Removes a user's pin.</summary>
    public sealed record ClearOverride(string UserKey) : RoutingChange;
}
