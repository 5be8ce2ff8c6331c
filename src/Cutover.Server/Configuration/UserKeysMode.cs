using System.ComponentModel;
using Cutover.Core.Text;

namespace Cutover.Server.Configuration;

/// <summary><c>Privacy:UserKeys</c> (<c>hashed</c>, <c>raw</c>): how user keys and message ids are written to the decision log and the audit trail.</summary>
[TypeConverter(typeof(EnumNameConverter<UserKeysMode>))]
public enum UserKeysMode
{
    /// <summary><c>hashed</c>: a keyed HMAC (Privacy:HashKey).</summary>
    Hashed = 0,

    /// <summary><c>raw</c>: as received.</summary>
    Raw = 1,
}
