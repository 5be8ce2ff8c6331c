namespace Cutover.Core.Routing;

/// <summary>Why an update took its route, in the order the routing step checks them.</summary>
public enum RouteReason
{
    /// <summary>A change of a non-<c>messages</c> field goes to the upstream configured for the field.</summary>
    Field = 0,

    /// <summary>The domain is protected: always legacy, whatever the settings.</summary>
    Protected = 1,

    /// <summary>Routing is disabled: everything goes to legacy.</summary>
    Disabled = 2,

    /// <summary>The domain is not in the routable set.</summary>
    NotRoutable = 3,

    /// <summary>An operator forced this user to unified.</summary>
    OverrideUnified = 4,

    /// <summary>An operator forced this user to legacy.</summary>
    OverrideLegacy = 5,

    /// <summary>No user key, so no bucket: legacy.</summary>
    NoUserKey = 6,

    /// <summary>The user's bucket is below the domain's threshold: unified.</summary>
    BucketBelow = 7,

    /// <summary>The user's bucket is at or above the domain's threshold: legacy.</summary>
    BucketAbove = 8,

    /// <summary>A status goes where the person's last inbound message went, within the conversation window.</summary>
    Conversation = 9,
}
