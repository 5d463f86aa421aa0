"""Gulf Watch: a sourced map of China’s footprint around the Gulf of Thailand."""
