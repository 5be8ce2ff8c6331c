using System.Text.Json.Serialization;

namespace Cutover.Store;

/// <summary>Source-generated JSON for the few JSON columns of the store.</summary>
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(long[]))]
[JsonSerializable(typeof(Dictionary<string, decimal>))]
[JsonSerializable(typeof(List<Cutover.Core.Health.BaselineDomain>))]
[JsonSerializable(typeof(Cutover.Core.Health.BaselineDomain))]
[JsonSerializable(typeof(List<StoredHealthCheck>))]
internal sealed partial class StoreJson : JsonSerializerContext;
