namespace Cutover.Store;

/// <summary>Secrets of the deployment kept in the store (earlier versions kept the hashing key there).</summary>
public interface ISecretStore
{
    /// <summary>A random secret of the deployment, made on first use and kept.</summary>
    Task<byte[]> GetOrCreateSecretAsync(string name, int length, CancellationToken cancellationToken);

    /// <summary>The stored secret of that name, or null when there is none (nothing is made).</summary>
    Task<byte[]?> ReadSecretAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the stored secret of that name, overwriting its bytes where the store can (SQLite): whether there was
    /// one. For a secret that must not stay beside the data it protects.
    /// </summary>
    Task<bool> DeleteSecretAsync(string name, CancellationToken cancellationToken);
}
