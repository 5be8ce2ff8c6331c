using System.ComponentModel;
using Cutover.Core.Text;

namespace Cutover.Server.Admin;

/// <summary>
/// What an admin token may do (<c>Admin:Tokens:&lt;n&gt;:Role</c>): <c>read</c> reads; <c>operate</c> reads and changes.
/// Public because the options that bind it are.
/// </summary>
[TypeConverter(typeof(EnumNameConverter<AdminRole>))]
public enum AdminRole
{
    Read = 0,
    Operate = 1,
}
