using System.ComponentModel;
using Cutover.Core.Text;

namespace Cutover.Server.Configuration;

/// <summary><c>Memory:Share</c> (<c>auto</c>, <c>on</c>, <c>off</c>): whether instances on one store share the conversation memory.</summary>
[TypeConverter(typeof(EnumNameConverter<MemoryShareMode>))]
public enum MemoryShareMode
{
    /// <summary><c>auto</c>: shared on PostgreSQL, not on SQLite.</summary>
    Auto = 0,

    /// <summary><c>on</c>: shared.</summary>
    On = 1,

    /// <summary><c>off</c>: each instance remembers for itself.</summary>
    Off = 2,
}
