"""Files shipped with Netbuilder: examples/ (.nnproj), icons/, datasets/. Installed as the
package `netbuilder_resources`; find them with engine.resources.resource_path."""
