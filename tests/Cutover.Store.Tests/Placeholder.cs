namespace Cutover.Store.Tests;
