"""Django forms of the pages: they shape what people type into the arguments of the same
services and selectors the API calls; rules stay in those services."""
