"""The repository's runnable scripts: `make demo` (`demo`, offline) and `make integ` (`integ`, real
AWS). Both deploy the demo app; they are not part of the offline cloud they drive."""
