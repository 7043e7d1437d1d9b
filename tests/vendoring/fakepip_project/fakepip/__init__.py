"""fakepip: a throwaway package that vendors httpkit as pip vendors its libraries."""
