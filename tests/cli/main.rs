//! The one integration-test binary: runs the `holdspace` command as users and CI do.
//! One binary keeps link time and disk down; each concern is a module.
